import type { Context } from 'koa';
import type { OAuthToken } from './token.js';
import type { BffSessionData } from './session-data.js';

/**
 * How code outside the BFF routes (the token refresher, `client.get({ ctx })` in the app's own routes)
 * reaches the BFF session of a request. `createBff` puts one on `ctx.state.latchkey` for every request.
 */
export interface SessionBridge {
  /** This request's session data: read from the store at most once per request. */
  load(ctx: Context): Promise<BffSessionData | undefined>;
  /** The session id (after `load`), for lock keys; `undefined` without a session. */
  id(ctx: Context): string | undefined;
  /** Reads the session from the store again, bypassing this request's copy (after taking a lock). */
  reload(ctx: Context): Promise<BffSessionData | undefined>;
  /** Writes a provider's refreshed token to the store now, and makes this request use it. */
  saveToken(ctx: Context, provider: string, token: OAuthToken): Promise<void>;
  /** Makes this request use a token another request already stored (no store write). */
  useToken(ctx: Context, provider: string, token: OAuthToken): void;
}

/** Our state on `ctx.state`. */
export interface BffState {
  latchkey?: { sessions: SessionBridge };
}

export function sessionBridgeOf(ctx: Context | undefined): SessionBridge | undefined {
  return (ctx?.state as BffState | undefined)?.latchkey?.sessions;
}
