import type { KeyObject } from 'node:crypto';
import { ConfigurationError } from '@latchkey/common';
import type { JWK } from 'jose';
import type { UserWithPassword } from './accounts/user-directory.js';
import type { ClientInput } from './clients/client-registry.js';
import type { OAuth1ServerOptions } from './oauth1/options.js';
import type { ProviderEvent } from './provider-context.js';
import type { KeyValueStore } from './storage/key-value-store.js';

/** Lifetimes in seconds. */
export interface ProviderLifetimes {
  /** Authorization code (RFC 6749 section 4.1.2 recommends at most 10 minutes). Default 60. */
  authorizationCode?: number;
  /** Access token. Default 3600. */
  accessToken?: number;
  /** Refresh token; each rotation starts a new lifetime. Default 14 days. */
  refreshToken?: number;
  /** ID token. Default 3600. */
  idToken?: number;
  /** A pending login + consent page (the server-side authorization transaction). Default 600. */
  authorizationTransaction?: number;
  /** A pushed authorization request's `request_uri` (RFC 9126 section 2.2). Default 60. */
  pushedAuthorizationRequest?: number;
  /** The login session ends after this long without use. Default 1 day. */
  loginSessionIdle?: number;
  /** The login session ends this long after the password was typed, however it is used. Default 7 days. */
  loginSessionAbsolute?: number;
}

/** Opt-in features; each is off by default because it weakens security or is rarely needed. */
export interface ProviderFeatures {
  /** The resource owner password credentials grant (RFC 6749 section 4.3). Default false. */
  passwordGrant?: boolean;
  /** `response_type=token` (RFC 6749 section 4.2), for clients that list the `implicit` grant. Default false. */
  implicitGrant?: boolean;
  /** PKCE `code_challenge_method=plain` (RFC 7636 section 4.2). Default false: only S256. */
  plainPkce?: boolean;
  /** Bearer tokens in the `access_token` query parameter (RFC 6750 section 2.3). Default false. */
  bearerInQuery?: boolean;
  /** Bearer tokens in a form-encoded body (RFC 6750 section 2.2). Default false. */
  bearerInBody?: boolean;
  /** The HTML client registration page at `/clients/new`. Default false. */
  clientRegistrationPage?: boolean;
}

/** OpenID Connect Back-Channel Logout 1.0, which is always on for clients with a `backchannelLogoutUri`. */
export interface LogoutTokenDeliveryOptions {
  /**
   * How long one client's delivery may take, in milliseconds. Deliveries run in parallel and the
   * end-session response waits for them, so this bounds that wait. Default 5000.
   */
  timeoutMs?: number;
}

/**
 * DPoP (RFC 9449), which is always on: a token request with a `DPoP` proof gets a key-bound access token,
 * and the resources accept `Authorization: DPoP`. These options tighten it.
 */
export interface DpopOptions {
  /**
   * Every proof must carry a server nonce (sections 8 and 9): a proof without the current (or previous)
   * one is answered `use_dpop_nonce` with the nonce in `DPoP-Nonce`. Default false.
   */
  requireNonce?: boolean;
  /** How long a nonce is current, in seconds; the previous one is accepted for one more period. Default 300. */
  nonceRotationSeconds?: number;
  /** How far a proof's `iat` may be from the provider's clock, either way, in seconds. Default 60. */
  iatWindowSeconds?: number;
}

export type ResolvedDpopOptions = Readonly<Required<DpopOptions>>;

/** A private RS256 signing key: a private JWK or a Node `KeyObject`. */
export type SigningKeyInput = JWK | KeyObject;

export interface ProviderOptions {
  /** The issuer URL (RFC 8414 section 2): https, or http for loopback and development. Required. */
  issuer: string;
  /** Clients registered at start. Default none. */
  clients?: ClientInput[];
  /** Users with passwords. Default none. */
  users?: UserWithPassword[];
  /** Demo mode: any plain username logs in with any password. Default false. */
  dangerouslyAllowAnyUser?: boolean;
  /** Where clients, codes, tokens and transactions live. Default: an in-memory store on `now`. */
  storage?: KeyValueStore;
  /** RS256 signing keys; the first signs, all are published at `/jwks`. Default: one generated at start. */
  keys?: SigningKeyInput | SigningKeyInput[];
  /** Lifetimes in seconds. Defaults: see `ProviderLifetimes`. */
  lifetimes?: ProviderLifetimes;
  /** Opt-in features. Default: all off. */
  features?: ProviderFeatures;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Called for every `ProviderEvent`; never receives a secret. Default: none. */
  onEvent?: (event: ProviderEvent) => void;
  /** Options of the OAuth 1.0a endpoints. Default: their defaults. */
  oauth1?: OAuth1ServerOptions;
  /**
   * Every client must push its authorization requests (RFC 9126 section 5); discovery then advertises
   * `require_pushed_authorization_requests`. A client can also require it alone. Default false.
   */
  requirePushedAuthorizationRequests?: boolean;
  /** Bearer token guarding the JSON client registration API `POST /clients`. Default: the API is off. */
  adminToken?: string;
  /** DPoP proof checks and nonces. Default: `{ requireNonce: false, nonceRotationSeconds: 300, iatWindowSeconds: 60 }`. */
  dpop?: DpopOptions;
  /** Back-Channel Logout delivery. Default: `{ timeoutMs: 5000 }`. */
  backchannelLogout?: LogoutTokenDeliveryOptions;
}

export interface ResolvedLifetimes {
  readonly authorizationCode: number;
  readonly accessToken: number;
  readonly refreshToken: number;
  readonly idToken: number;
  readonly authorizationTransaction: number;
  readonly pushedAuthorizationRequest: number;
  readonly loginSessionIdle: number;
  readonly loginSessionAbsolute: number;
}

export type ResolvedFeatures = Readonly<Required<ProviderFeatures>>;

export const DEFAULT_LIFETIMES: ResolvedLifetimes = Object.freeze({
  authorizationCode: 60,
  accessToken: 3600,
  refreshToken: 14 * 24 * 3600,
  idToken: 3600,
  authorizationTransaction: 600,
  pushedAuthorizationRequest: 60,
  loginSessionIdle: 24 * 3600,
  loginSessionAbsolute: 7 * 24 * 3600,
});

export const DEFAULT_FEATURES: ResolvedFeatures = Object.freeze({
  passwordGrant: false,
  implicitGrant: false,
  plainPkce: false,
  bearerInQuery: false,
  bearerInBody: false,
  clientRegistrationPage: false,
});

/** Checks the issuer (RFC 8414 section 2: no query or fragment) and returns it without a trailing slash. */
export function resolveIssuer(issuer: unknown): string {
  if (typeof issuer !== 'string' || issuer === '') {
    throw new ConfigurationError('issuer', "issuer is required (the provider's base URL).");
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch (cause) {
    throw new ConfigurationError('issuer', 'issuer must be an absolute URL.', { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError('issuer', 'issuer must be an http or https URL.');
  }
  if (url.search !== '' || url.hash !== '' || issuer.includes('?') || issuer.includes('#')) {
    throw new ConfigurationError('issuer', 'issuer must not have a query or fragment.');
  }
  return url.toString().replace(/\/+$/, '');
}

export function resolveLifetimes(input: ProviderLifetimes = {}): ResolvedLifetimes {
  const resolved = { ...DEFAULT_LIFETIMES };
  for (const key of Object.keys(DEFAULT_LIFETIMES) as (keyof ResolvedLifetimes)[]) {
    const value = input[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0) {
      throw new ConfigurationError(`lifetimes.${key}`, `lifetimes.${key} must be a positive number of seconds.`);
    }
    resolved[key] = value;
  }
  return Object.freeze(resolved);
}

export function resolveBackchannelLogout(input: LogoutTokenDeliveryOptions = {}): Readonly<Required<LogoutTokenDeliveryOptions>> {
  const timeoutMs = input.timeoutMs ?? 5000;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw new ConfigurationError(
      'backchannelLogout.timeoutMs',
      'backchannelLogout.timeoutMs must be a positive whole number of milliseconds.',
    );
  }
  return Object.freeze({ timeoutMs });
}

export function resolveDpop(input: DpopOptions = {}): ResolvedDpopOptions {
  if (input.requireNonce !== undefined && typeof input.requireNonce !== 'boolean') {
    throw new ConfigurationError('dpop.requireNonce', 'dpop.requireNonce must be true or false.');
  }
  const seconds = (key: 'nonceRotationSeconds' | 'iatWindowSeconds', fallback: number) => {
    const value = input[key] ?? fallback;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new ConfigurationError(`dpop.${key}`, `dpop.${key} must be a positive whole number of seconds.`);
    }
    return value;
  };
  return Object.freeze({
    requireNonce: input.requireNonce === true,
    nonceRotationSeconds: seconds('nonceRotationSeconds', 300),
    iatWindowSeconds: seconds('iatWindowSeconds', 60),
  });
}

export function resolveFeatures(input: ProviderFeatures = {}): ResolvedFeatures {
  const resolved = { ...DEFAULT_FEATURES };
  for (const key of Object.keys(DEFAULT_FEATURES) as (keyof ResolvedFeatures)[]) {
    if (input[key] !== undefined) resolved[key] = input[key] === true;
  }
  return Object.freeze(resolved);
}
