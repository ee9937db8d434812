import type { Context } from 'koa';
import type { BffUser } from '@latchkey/common';
import type { OAuthRegistry } from '../registry/registry.js';
import type { SessionStore } from '../stores/session-store.js';
import type { SessionCookieOptions } from '../session/session-cookie.js';
import type { BffLogger } from '../logger.js';
import type { BackchannelLogoutOptions } from '../logout/backchannel-options.js';
import type { OAuthToken } from '../tokens/token.js';

/** What `onLogin` learns about a completed login. */
export interface LoginInfo {
  provider: string;
  /** The provider's new token (server side only; never sent to the browser). */
  token: OAuthToken;
  /** The provider's account, mapped by the provider's `userInfo` (OIDC claims by default); `null` when unknown. */
  userInfo: BffUser | null;
  /** The session's user before this login (linking a second provider), or `null`. */
  currentUser: BffUser | null;
}

/**
 * Finds or creates the app's own user for a login and links providers to it. Returns the user the
 * session should carry; `undefined` keeps the default (the session's current user, else `userInfo`).
 * Throwing refuses the login (`login_failed`).
 */
export type OnLogin = (ctx: Context, login: LoginInfo) => Promise<BffUser | null | undefined> | BffUser | null | undefined;

export interface CreateBffOptions {
  /** The providers users log in with. Required. */
  registry: OAuthRegistry;
  /** Where server-side sessions live. Default: in memory (one BFF instance only). */
  store?: SessionStore;
  /** Longest wait for one call to the session store or the transaction cache before answering `store_unavailable` (503), in milliseconds. Default 2000. */
  storeTimeoutMs?: number;
  /**
   * Sessions kept opened in this process, so the proxy decrypts a session once per change rather than
   * once per call (each call still reads the store once, and a changed value is opened again); 0 keeps
   * none. Default 1000.
   */
  sessionCacheSize?: number;
  /** Secrets of at least 32 bytes that seal sessions and login transactions (AES-GCM); the first seals, all open. Required. */
  keys: readonly (string | Buffer)[];
  /** Where the routes are mounted. Default `/bff`. */
  basePath?: string;
  /** Called after every successful login. Default none. */
  onLogin?: OnLogin;
  /** Origins allowed to call state-changing routes and the proxy. Default: the BFF's own origin (or `publicOrigin`). */
  allowedOrigins?: readonly string[];
  /** The session cookie and lifetimes. Default `__Host-latchkey`, one day idle, one week absolute, loopback development allowed. */
  cookie?: SessionCookieOptions;
  /** Public origin of the BFF, for redirect URIs behind a proxy. Default: the request's origin. */
  publicOrigin?: string;
  /** Largest request body the proxy forwards, in bytes. Default 1048576. */
  maxBodyBytes?: number;
  /** How long the proxy waits for a whole request body before answering `request_timeout` (408), in milliseconds. Default 30000. */
  bodyTimeoutMs?: number;
  /** How long a started login stays valid (its transaction and the browser's login-binding cookie), in milliseconds. Default 600000. */
  loginTimeoutMs?: number;
  /** Revoke tokens at the provider on logout and disconnect. Default true. */
  revokeOnLogout?: boolean;
  /** Structured logger. Default: the registry's. */
  logger?: BffLogger;
  /** Logout tokens at `POST {basePath}/backchannel-logout/:provider` (OpenID Connect Back-Channel Logout 1.0). Default: token age 300 s, clock tolerance 30 s. */
  backchannelLogout?: BackchannelLogoutOptions;
}
