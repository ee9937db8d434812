/** What the provider stores about codes, grants and tokens. Times are epoch seconds. */

export interface AuthorizationCodeRecord {
  clientId: string;
  /** The redirect URI of the authorization request; `redirectUriSent` says whether it was named there. */
  redirectUri: string;
  redirectUriSent: boolean;
  scopes: string[];
  sub: string;
  authTime: number;
  /** The login session's `sid` (Back-Channel Logout 1.0 section 2.1), for the ID tokens of this grant. */
  sid?: string;
  /** The authorization request's `dpop_jkt`: only a DPoP proof by this key may redeem the code (RFC 9449 section 10). */
  dpopJkt?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  /** Every token issued from this code shares it, so a replay can revoke them all. */
  grantId: string;
  expiresAt: number;
}

export interface AccessTokenRecord {
  clientId: string;
  /** `null` for a client acting for itself (client_credentials). */
  sub: string | null;
  scopes: string[];
  /** `null` when not part of a revocable grant (client_credentials). */
  grantId: string | null;
  /** The DPoP key's thumbprint when the token is key-bound (RFC 9449 section 6); it is then `token_type` DPoP. */
  jkt?: string;
  issuedAt: number;
  expiresAt: number;
}

export interface RefreshTokenRecord {
  clientId: string;
  sub: string;
  /** The scope of this refresh token: a rotated token keeps it (RFC 6749 section 6). */
  scopes: string[];
  grantId: string;
  authTime: number;
  /** The login session's `sid`, so refreshed ID tokens keep it; absent for grants made without one. */
  sid?: string;
  /** A public client's refresh token is bound to its DPoP key: only a proof by that key may use it (RFC 9449 section 5). */
  jkt?: string;
  issuedAt: number;
  expiresAt: number;
}
