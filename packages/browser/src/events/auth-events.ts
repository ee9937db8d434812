import type { AuthError } from '../errors/auth-error.js';
import type { User } from '../session/session.js';

/** Why the session ended: `logout()` here, another tab, or the provider refusing the refresh token. */
export type LogoutReason = 'user' | 'other_tab' | 'session_expired';

/** The events of `client.on(type, listener)`; no payload ever carries a token. */
export interface AuthEventMap {
  /** A login completed (here, or in another tab). */
  login: { user: User | null };
  /** New tokens were stored (login or refresh, here or in another tab). */
  tokens: { expiresAtMs: number | null; scope: string | null };
  /** The session ended. */
  logout: { reason: LogoutReason };
  /** Background work failed (a refresh on wake-up, a revocation); calls you await throw instead. */
  error: AuthError;
}
