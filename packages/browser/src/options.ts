import { ConfigurationError } from '@latchkey/common';
import type { DPoPBinding } from './dpop/binding.js';
import type { AuthLock } from './lock/lock.js';
import type { AuthStorage } from './storage/storage.js';

/** Endpoints given explicitly instead of discovered. */
export interface AuthEndpoints {
  /** Authorization endpoint (RFC 6749 section 3.1). Required. */
  authorization: string;
  /** Token endpoint (RFC 6749 section 3.2). Required. */
  token: string;
  /** Revocation endpoint (RFC 7009). Default: none, so `logout()` revokes nothing. */
  revocation?: string;
  /** OpenID Connect RP-initiated logout endpoint. Default: none. */
  endSession?: string;
  /** The server puts `iss` in every authorization response (RFC 9207), so it is required. Default false. */
  issParameterSupported?: boolean;
}

export interface AuthClientOptions {
  /** The provider's issuer URL; metadata is discovered from it on first need. Required unless `endpoints` is set. */
  issuer?: string;
  /** Endpoints instead of discovery; set `issuer` too when ID tokens are used. Default: discover from `issuer`. */
  endpoints?: AuthEndpoints;
  /** The client id registered at the provider. Required. */
  clientId: string;
  /** The absolute redirect URI registered at the provider. Required. */
  redirectUri: string;
  /** Space-separated scopes. Default `'openid'`. */
  scope?: string;
  /** Extra authorization request parameters sent on every login (e.g. `prompt`, `audience`). Default none. */
  extraParams?: Readonly<Record<string, string>>;
  /** Seconds before expiry at which `getAccessToken()` refreshes. Default 60. */
  refreshSkewSeconds?: number;
  /** Where tokens and login transactions live. Default: IndexedDB, one database per client. */
  storage?: AuthStorage;
  /** Cross-tab lock for refreshes and callback claims. Default: Web Locks, else a page-wide in-memory lock. */
  lock?: AuthLock;
  /** Origins `fetch()` may send the access token to. Default: the page's origin and the issuer's. */
  apiOrigins?: readonly string[];
  /** The clock in milliseconds since the epoch (tests). Default `Date.now`. */
  clock?: () => number;
  /** DANGEROUS: allow plain-http endpoints, for loopback tests only. Default false. */
  dangerouslyAllowInsecureHttp?: boolean;
  /** DPoP-bound tokens (RFC 9449): `createDPoP()` of `@latchkey/browser/dpop`. Default none (Bearer tokens). */
  dpop?: DPoPBinding;
  /** Push the authorization request (RFC 9126) when the provider offers it. Default true. */
  pushedAuthorizationRequests?: boolean;
}

export interface ResolvedOptions {
  readonly issuer: string | null;
  readonly endpoints: Readonly<AuthEndpoints> | null;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly openid: boolean;
  readonly extraParams: Readonly<Record<string, string>>;
  readonly refreshSkewMs: number;
  readonly apiOrigins: readonly string[];
  readonly clock: () => number;
  readonly insecure: boolean;
  /** Push authorization requests when the provider advertises `pushed_authorization_request_endpoint`. */
  readonly pushedAuthorizationRequests: boolean;
  /** Prefix of every storage key, lock name and channel name of this client. */
  readonly namespace: string;
}

/** Parameters the SDK sets itself; `extraParams` may not override them. */
const RESERVED_PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
];

/** The explicit endpoints, the two required ones first. */
const ENDPOINTS = ['authorization', 'token', 'revocation', 'endSession'] as const;

// A declaration, not an arrow, so that TypeScript narrows after `if (...) fail(...)`.
function fail(option: string, text: string): never {
  throw new ConfigurationError(option, `${option} ${text}.`);
}

function url(option: string, value: unknown, allowHttp: boolean): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value as string);
  } catch {
    parsed = undefined;
  }
  if (typeof value !== 'string' || !parsed || !/^https?:$/.test(parsed.protocol)) fail(option, 'must be an absolute http(s) URL');
  if (parsed.protocol === 'http:' && !allowHttp) fail(option, 'must use https (or dangerouslyAllowInsecureHttp)');
  return parsed;
}

/** A copy of `extraParams` (the client's or a login's), refused if it sets a parameter the SDK sets or a non-string. */
export function checkExtraParams(params: Readonly<Record<string, string>> = {}): Record<string, string> {
  for (const [name, value] of Object.entries(params)) {
    if (RESERVED_PARAMS.includes(name) || typeof value !== 'string') fail('extraParams', `may not set ${name} (reserved, or not a string)`);
  }
  return { ...params };
}

/** Validates the options once and returns a frozen copy; the caller's object is never touched. */
export function resolveOptions(options: AuthClientOptions): ResolvedOptions {
  const insecure = options.dangerouslyAllowInsecureHttp === true;
  if (typeof options.clientId !== 'string' || options.clientId === '') fail('clientId', 'is required');
  // The browser is sent there, the SDK never requests it: http is the app's choice (a loopback dev server).
  const redirectUri = url('redirectUri', options.redirectUri, true).href;
  let endpoints: Readonly<AuthEndpoints> | null = null;
  if (options.endpoints) {
    const given = options.endpoints;
    const checked: Partial<Record<(typeof ENDPOINTS)[number], string>> = {};
    ENDPOINTS.forEach((name, index) => {
      if (index < 2 || given[name]) checked[name] = url(`endpoints.${name}`, given[name], insecure).href;
    });
    endpoints = Object.freeze({ ...(checked as AuthEndpoints), issParameterSupported: given.issParameterSupported === true });
  }
  const issuer = options.issuer === undefined ? null : url('issuer', options.issuer, insecure).href.replace(/\/$/, '');
  // Where the SDK finds the server: the issuer, or else the token endpoint.
  const server = issuer ?? endpoints?.token ?? fail('issuer', 'or endpoints is required');
  const scope = options.scope ?? 'openid';
  if (typeof scope !== 'string' || scope.trim() === '') fail('scope', 'must be a non-empty string');
  const refreshSkew = options.refreshSkewSeconds ?? 60;
  if (!Number.isFinite(refreshSkew) || refreshSkew < 0) fail('refreshSkewSeconds', 'must be a number >= 0');
  const serverOrigin = new URL(server).origin;
  const pageOrigin = typeof location === 'undefined' ? null : location.origin;
  const apiOrigins = (options.apiOrigins ?? [pageOrigin, serverOrigin].filter((o): o is string => !!o && o !== 'null')).map(
    (origin) => url('apiOrigins', origin, true).origin,
  );
  if (options.clock !== undefined && typeof options.clock !== 'function') fail('clock', 'must be a function');
  return Object.freeze({
    issuer,
    endpoints,
    clientId: options.clientId,
    redirectUri,
    scope,
    openid: scope.split(' ').includes('openid'),
    extraParams: Object.freeze(checkExtraParams(options.extraParams)),
    refreshSkewMs: refreshSkew * 1000,
    apiOrigins: Object.freeze([...new Set(apiOrigins)]),
    clock: options.clock ?? Date.now,
    insecure,
    pushedAuthorizationRequests: options.pushedAuthorizationRequests !== false,
    namespace: `latchkey:${options.clientId}@${server}`,
  });
}
