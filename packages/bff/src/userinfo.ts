import type { BffUser } from '@latchkey/common';

const OPTIONAL_STRING_CLAIMS = ['name', 'email', 'preferred_username', 'picture', 'profile'] as const;

/** Picks the standard claims (OIDC Core section 5.1) the BFF contract knows from any claim set. */
export function userFromClaims(claims: Readonly<Record<string, unknown>>): BffUser | null {
  const sub = claims.sub ?? claims.id;
  if (typeof sub !== 'string' && typeof sub !== 'number') return null;
  const user: BffUser = { sub: String(sub) };
  for (const claim of OPTIONAL_STRING_CLAIMS) {
    const value = claims[claim];
    if (typeof value === 'string') user[claim] = value;
  }
  if (typeof claims.email_verified === 'boolean') user.email_verified = claims.email_verified;
  return user;
}
