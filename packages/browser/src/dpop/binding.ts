import type { DPoPRequestOptions } from 'oauth4webapi';
import type { OAuthHttp } from '../oauth/http.js';
import type { DPoPKey } from '../session/dpop-key.js';
import type { StoredSession } from '../session/session.js';

/**
 * What `createDPoP()` of `@latchkey/browser/dpop` plugs into `createAuthClient({ dpop })`. The client only
 * calls these; the proofs, the keys and the nonces live behind them, so an app without DPoP ships none of it.
 */
export interface DPoPBinding {
  /** Makes the key of a new login. */
  createKey(): Promise<DPoPKey>;
  /**
   * Sends a request to the provider with `http` plus a proof of `key` (none without a key: a session from
   * before DPoP was turned on), and once more with the server's nonce when it asks for one.
   */
  tokenRequest<T>(key: DPoPKey | undefined, http: OAuthHttp, send: (http: OAuthHttp & DPoPRequestOptions) => Promise<T>): Promise<T>;
  /** Sends `request` with the session's access token: a DPoP token with a proof of its key, else a Bearer token. */
  fetch(request: Request, session: StoredSession): Promise<Response>;
}
