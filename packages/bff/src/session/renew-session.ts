import type { Context } from 'koa';
import { BffError } from '../errors.js';
import type { BffLogger } from '../logger.js';
import type { RequestSession } from './request-session.js';
import { writeSessionCookie, type ResolvedCookie } from './session-cookie.js';
import type { SessionRecords } from './session-record.js';

export interface RenewOptions {
  records: SessionRecords;
  cookie: ResolvedCookie;
  /** Milliseconds since the epoch. */
  now: () => number;
  logger: BffLogger;
}

/**
 * Renews a session a BFF route read once half its idle lifetime has passed, never past its absolute
 * lifetime. A session another request changed meanwhile is left alone: it was just written anyway.
 */
export function renewal({ records, cookie, now, logger }: RenewOptions) {
  return async (ctx: Context, state: RequestSession): Promise<void> => {
    const id = state.loaded?.id;
    const snapshot = state.loaded?.snapshot;
    if (state.written || id === undefined || snapshot === undefined || state.mode === null) return;
    const { record } = snapshot;
    const at = now();
    if (record.idleExpiresAt - at >= cookie.maxAgeMs / 2 || record.idleExpiresAt >= record.absoluteExpiresAt) return;
    const renewed = { ...record, idleExpiresAt: Math.min(at + cookie.maxAgeMs, record.absoluteExpiresAt) };
    try {
      if (await records.update(id, snapshot, renewed)) writeSessionCookie(ctx, state.mode, id, records.lifeLeftMs(renewed));
    } catch (error) {
      logger.warn('session not renewed', { cause: error instanceof BffError ? error.code : 'error' });
    }
  };
}
