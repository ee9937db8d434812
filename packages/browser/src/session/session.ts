import { refreshDueAt } from '@latchkey/common';
import { getValidatedIdTokenClaims, type IDToken, type TokenEndpointResponse } from 'oauth4webapi';
import type { DPoPKey } from './dpop-key.js';

/** The logged-in user: the validated ID token claims (OpenID Connect Core section 2). */
export type User = IDToken;

/** What is stored after a login or a refresh. Times are milliseconds since the epoch. */
export interface StoredSession {
  accessToken: string;
  tokenType: string;
  /** `null` when the provider gave no `expires_in`. */
  expiresAt: number | null;
  /** When the tokens were received; absent in sessions stored before it was recorded. */
  issuedAt?: number | undefined;
  refreshToken?: string | undefined;
  idToken?: string | undefined;
  scope?: string | undefined;
  user: User | null;
  /** The login's DPoP key (RFC 9449), which the tokens are bound to; absent without DPoP. */
  dpop?: DPoPKey | undefined;
}

/**
 * Turns a processed token response into a session. A refresh response may leave out the refresh
 * token, the ID token and the scope (RFC 6749 section 6): those are kept from `previous`, and so is the
 * DPoP key, which a refresh never changes (a login passes its new key as the only thing to keep).
 */
export function sessionFromTokens(tokens: TokenEndpointResponse, now: number, previous?: Partial<StoredSession>): StoredSession {
  const claims = getValidatedIdTokenClaims(tokens);
  return {
    accessToken: tokens.access_token,
    tokenType: tokens.token_type,
    expiresAt: typeof tokens.expires_in === 'number' ? now + tokens.expires_in * 1000 : null,
    issuedAt: now,
    refreshToken: tokens.refresh_token ?? previous?.refreshToken,
    idToken: tokens.id_token ?? previous?.idToken,
    scope: tokens.scope ?? previous?.scope,
    user: claims ? { ...claims } : (previous?.user ?? null),
    dpop: previous?.dpop,
  };
}

/**
 * True until the access token is due for refresh: `skewMs` before it expires, or half-way through its
 * lifetime when that is shorter than twice the skew (the rule `@latchkey/common` shares with the BFF).
 */
export function isFresh(session: StoredSession, now: number, skewMs: number): boolean {
  return session.expiresAt === null || now < refreshDueAt({ expiresAt: session.expiresAt, issuedAt: session.issuedAt }, skewMs);
}
