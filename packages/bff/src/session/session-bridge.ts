import type { Context } from 'koa';
import type { OAuthToken } from '../tokens/token.js';
import type { BffSessionData } from './session-data.js';

/**
 * How code outside the routes (the token refresher, `client.get({ ctx })`) reaches the BFF session of a
 * request. `createBff` puts one on `ctx.state.latchkey`.
 */
export interface SessionBridge {
  /** The session data loaded for this request (no store access). */
  read(ctx: Context): BffSessionData | undefined;
  /** The session id, for lock keys; `undefined` without a session. */
  id(ctx: Context): string | undefined;
  /** Reads the session from the store again, bypassing this request's copy (after taking a lock). */
  reload(ctx: Context): Promise<BffSessionData | undefined>;
  /** Writes a provider's new token to the store now, and to this request's copy. */
  saveToken(ctx: Context, provider: string, token: OAuthToken): Promise<void>;
}

/** Our state on `ctx.state`. */
export interface BffState {
  latchkey?: { sessions: SessionBridge };
}

export function sessionBridgeOf(ctx: Context | undefined): SessionBridge | undefined {
  return (ctx?.state as BffState | undefined)?.latchkey?.sessions;
}
