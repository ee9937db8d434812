import type { ProviderLogin } from './session-record.js';

/**
 * Where sessions are found by the provider logins they came from, so that the provider can end them
 * (the back-channel logout keeps one). The session layer tells it when a session gains or loses a login.
 */
export interface LoginIndex {
  /**
   * Indexes the session stored under `sessionKey` under each login of `logins` until `expiresAt` (ms
   * since the epoch). Rejects with `login_failed` when the provider ended one of them at or after its `iat`.
   */
  link(sessionKey: string, logins: Readonly<Record<string, ProviderLogin>>, expiresAt: number): Promise<void>;
  /** Takes the session stored under `sessionKey` out of the index entries of `logins`. */
  unlink(sessionKey: string, logins: Readonly<Record<string, ProviderLogin>>): Promise<void>;
}
