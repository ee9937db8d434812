/**
 * The HTTP contract between the browser SDK's `createBffClient` and `@latchkey/bff`.
 *
 * The two packages never import each other; both import this module, and both sides' tests use it,
 * so a route or field renamed here breaks the build on both sides at once.
 */

/** Where the BFF is mounted unless configured otherwise. */
export const DEFAULT_BFF_BASE_PATH = '/bff';

/**
 * Header every state-changing BFF request and every proxied call must carry. A cross-site HTML form
 * cannot set a custom header, and a cross-site `fetch` that sets one needs a CORS preflight the BFF
 * never grants.
 */
export const CSRF_HEADER = 'x-latchkey-csrf';
export const CSRF_HEADER_VALUE = '1';

/** Query parameter on the redirect back to the SPA that carries a failed login's error code. */
export const LOGIN_ERROR_PARAM = 'latchkey_error';
/** Query parameter naming the provider whose login failed. */
export const LOGIN_ERROR_PROVIDER_PARAM = 'latchkey_provider';

/** Route paths relative to the BFF base path. */
export const bffRoutes = {
  providers: '/providers',
  login: (provider: string) => `/login/${encodeURIComponent(provider)}`,
  callback: (provider: string) => `/callback/${encodeURIComponent(provider)}`,
  session: '/session',
  logout: '/logout',
  /** Where the provider sends the browser back after ending its session (the `post_logout_redirect_uri`). */
  loggedOut: (provider: string) => `/logged-out/${encodeURIComponent(provider)}`,
  disconnect: (provider: string) => `/disconnect/${encodeURIComponent(provider)}`,
  api: (provider: string) => `/api/${encodeURIComponent(provider)}`,
} as const;

export type BffProtocol = 'oauth2' | 'oauth1';

/** One registered provider, as `GET /providers` lists it (for "Log in with ..." buttons). */
export interface BffProviderInfo {
  name: string;
  displayName: string;
  protocol: BffProtocol;
}

/** One provider's link to the current session. Never contains a token. */
export interface BffConnection {
  provider: string;
  protocol: BffProtocol;
  /** Epoch seconds at which the access token expires; `null` when it does not (OAuth 1) or is unknown. */
  expiresAt: number | null;
  /** Scopes granted, as the provider reported them. */
  scopes: string[];
}

/** Standard claims of the logged-in user, as the BFF normalizes them. */
export interface BffUser {
  sub: string;
  name?: string;
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
  picture?: string;
  profile?: string;
}

/** Body of `GET /providers`. */
export interface BffProvidersResponse {
  providers: BffProviderInfo[];
}

/** Body of `GET /session`. */
export interface BffSessionResponse {
  authenticated: boolean;
  user: BffUser | null;
  connections: BffConnection[];
}

/**
 * Optional JSON body of `POST /logout`. `endSession` also ends the provider's session (OpenID Connect
 * RP-Initiated Logout 1.0): of the linked providers that publish an `end_session_endpoint`, `provider`
 * or else the first; the provider then sends the browser back through the BFF to `returnTo` (default `/`).
 */
export interface BffLogoutRequest {
  endSession?: boolean;
  returnTo?: string;
  provider?: string;
}

/** Body of `POST /logout` when the provider's session is to end too: where the browser goes next. Otherwise 204. */
export interface BffLogoutResponse {
  endSessionUrl: string;
}

/** Error codes the BFF answers with, in JSON bodies and in the login error redirect. */
export const BFF_ERROR_CODES = [
  'csrf_rejected',
  'origin_rejected',
  'unknown_provider',
  'state_mismatch',
  'state_missing',
  'authorization_denied',
  'login_failed',
  'login_required',
  'invalid_return_to',
  'invalid_proxy_path',
  'unsupported_request',
  'body_too_large',
  'method_not_allowed',
  'request_timeout',
  'refresh_failed',
  'upstream_timeout',
  'upstream_error',
  'upstream_token_echo',
  'store_unavailable',
  'not_found',
  'internal_error',
] as const;
export type BffErrorCode = (typeof BFF_ERROR_CODES)[number];

export function isBffErrorCode(value: unknown): value is BffErrorCode {
  return typeof value === 'string' && (BFF_ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Response header on every error the BFF itself answers with (its value is the error code). It lets a
 * client tell a BFF error (e.g. `login_required` from the proxy) from an upstream API's own error
 * response passed through the proxy; the proxy never forwards this header from upstream.
 */
export const BFF_ERROR_HEADER = 'x-latchkey-error';

/** JSON body of every BFF error response. `message` is safe to show; it never contains a token. */
export interface BffErrorBody {
  error: {
    code: BffErrorCode;
    message: string;
  };
}
