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
  /** Granted scopes. */
  scopes: string[];
  idToken?: string;
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

/** True when the token expires within `skewSeconds` of `nowSeconds`. A token without expiry never does. */
export function isExpiring(token: OAuthToken, nowSeconds: number, skewSeconds: number): boolean {
  if (token.kind !== 'oauth2' || token.expiresAt === undefined) return false;
  return token.expiresAt - skewSeconds <= nowSeconds;
}

/** The value that identifies a token without being it: what concurrent refreshers compare. */
export function tokenIdentity(token: OAuthToken): string {
  return token.kind === 'oauth2' ? token.accessToken : token.oauthToken;
}
