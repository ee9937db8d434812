import { isRefreshDue } from '@latchkey/common';
import type { DPoPPrivateJwk } from '../dpop/dpop-key.js';

/**
 * Tokens as the BFF keeps them server-side, in camelCase. They never leave the server: `/session`
 * reports only expiry and scopes.
 */

/** An OAuth 2 token set (RFC 6749 section 5.1). */
export interface OAuth2Token {
  kind: 'oauth2';
  accessToken: string;
  /** Lower-cased, e.g. `bearer`. */
  tokenType: string;
  refreshToken?: string;
  /** Epoch seconds; absent when the provider gave no `expires_in`. */
  expiresAt?: number;
  /** Epoch seconds when it was received, recorded with `expiresAt`: a short lifetime shortens the skew. */
  issuedAt?: number;
  /**
   * True when this token came from a refresh that an API's 401 caused: a 401 to it is the API's answer,
   * not a reason to refresh again (one refresh per token, not one per call).
   */
  refreshedOn401?: boolean;
  /** Granted scopes. */
  scopes: string[];
  idToken?: string;
  /**
   * The private key the token is bound to (RFC 9449, `token_type` `dpop`): every call with the token and
   * every refresh of it proves possession of this key. Server side only, like the token.
   */
  dpopKey?: DPoPPrivateJwk;
}

/** OAuth 1.0a token credentials (RFC 5849 section 2.3). */
export interface OAuth1Token {
  kind: 'oauth1';
  oauthToken: string;
  oauthTokenSecret: string;
  /** Other parameters of the token response (e.g. `user_id`, `screen_name`). */
  extra: Record<string, string>;
}

export type OAuthToken = OAuth2Token | OAuth1Token;

/**
 * True when the token is due for refresh: it expires within `skewSeconds` of `nowSeconds`, or it is past
 * half its lifetime when that is shorter than twice the skew (the shared rule of `@latchkey/common`).
 * A token without expiry never is.
 */
export function isExpiring(token: OAuthToken, nowSeconds: number, skewSeconds: number): boolean {
  if (token.kind !== 'oauth2' || token.expiresAt === undefined) return false;
  return isRefreshDue({ expiresAt: token.expiresAt, issuedAt: token.issuedAt }, nowSeconds, skewSeconds);
}

/** True when the token is past its expiry: no use sending it. */
export function isExpired(token: OAuthToken, nowSeconds: number): boolean {
  return token.kind === 'oauth2' && token.expiresAt !== undefined && token.expiresAt <= nowSeconds;
}

/** The value that identifies a token without being it: what concurrent refreshers compare. */
export function tokenIdentity(token: OAuthToken): string {
  return token.kind === 'oauth2' ? token.accessToken : token.oauthToken;
}
