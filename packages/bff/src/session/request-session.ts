import type { Context } from 'koa';
import { BffError } from '../errors.js';
import type { BffSessionData } from '../tokens/session-data.js';
import type { OAuthToken } from '../tokens/token.js';
import { readSessionId, type CookieMode } from './session-cookie.js';
import type { SessionRecords, SessionSnapshot } from './session-record.js';

/** What the session layer knows about one request: its cookie mode and, once read, its session. */
export interface RequestSession {
  mode: CookieMode | null;
  /** A BFF route (not the proxy, not the app's own routes): a session it reads may be renewed. */
  isRoute: boolean;
  /** The session id the browser sent, if any, and what one store read found under it. */
  loaded?: { id: string | undefined; snapshot: SessionSnapshot | undefined };
  overrides?: Map<string, OAuthToken>;
  /** This request wrote, moved or ended the session: nothing to renew. */
  written?: boolean;
}

/**
 * Each request's session state, on the request's context under a symbol only this layer holds: no
 * name of the app's can reach it, and two layers in one app each keep their own. (A `WeakMap` beside the
 * request did the same at the price of an ephemeron entry per request, which cost the garbage collector
 * more than the rest of the session read on the proxy's path.)
 */
export interface RequestSessions {
  begin(ctx: Context, state: RequestSession): void;
  /** The request's state, if the session layer began it (the app's own routes may run without). */
  find(ctx: Context): RequestSession | undefined;
  /** The request's state; a request the layer did not begin is a programming error. */
  of(ctx: Context): RequestSession;
  /** The session id the browser sent and what one store read found under it, read at most once per request. */
  load(state: RequestSession, ctx: Context): Promise<NonNullable<RequestSession['loaded']>>;
}

export function createRequestSessions(records: SessionRecords): RequestSessions {
  const slot = Symbol('latchkey request session');
  const find = (ctx: Context): RequestSession | undefined => ctx[slot];
  return {
    begin(ctx, state) {
      ctx[slot] = state;
    },
    find,
    of(ctx) {
      const state = find(ctx);
      if (state === undefined) throw new BffError('internal_error', 'No session layer for this request.');
      return state;
    },
    async load(state, ctx) {
      if (state.loaded !== undefined) return state.loaded;
      const id = state.mode === null ? undefined : readSessionId(ctx, state.mode);
      const snapshot: SessionSnapshot | undefined = id === undefined ? undefined : await records.read(id);
      state.loaded = { id, snapshot };
      return state.loaded;
    },
  };
}

/** The request's cookie mode; `null` means the BFF is served over plain http on a non-loopback host. */
export function modeOf(state: RequestSession): CookieMode {
  if (state.mode === null) throw new BffError('internal_error', 'The BFF must be served over https.');
  return state.mode;
}

/** Session data with the tokens this request refreshed (or picked up) in place of the stored ones. */
export function withOverrides(
  data: BffSessionData | undefined,
  overrides: Map<string, OAuthToken> | undefined,
): BffSessionData | undefined {
  if (data === undefined || overrides === undefined) return data;
  const connections = { ...data.connections };
  for (const [provider, token] of overrides) {
    const connection = connections[provider];
    if (connection !== undefined) connections[provider] = { ...connection, token };
  }
  return { ...data, connections };
}
