import type { UserAccount } from '../accounts/user-directory.js';

/** Claims per scope (OpenID Connect Core section 5.4). */
const SCOPE_CLAIMS: Readonly<Record<string, readonly (keyof StandardClaims)[]>> = {
  profile: ['name', 'preferred_username', 'picture'],
  email: ['email', 'email_verified'],
};

export interface StandardClaims {
  sub: string;
  name?: string;
  preferred_username?: string;
  picture?: string;
  email?: string;
  email_verified?: boolean;
}

export const SUPPORTED_CLAIMS = ['sub', 'name', 'preferred_username', 'picture', 'email', 'email_verified'] as const;

/** Every standard claim the provider knows about the user. */
export function allClaims(user: UserAccount): StandardClaims {
  const claims: StandardClaims = { sub: user.sub, preferred_username: user.username };
  if (user.name !== undefined) claims.name = user.name;
  if (user.picture !== undefined) claims.picture = user.picture;
  if (user.email !== undefined) claims.email = user.email;
  if (user.email_verified !== undefined) claims.email_verified = user.email_verified;
  return claims;
}

/** The claims the granted scopes release: `sub` always, the rest by scope. */
export function claimsForScopes(user: UserAccount, scopes: readonly string[]): StandardClaims {
  const all = allClaims(user);
  const released: StandardClaims = { sub: user.sub };
  for (const scope of scopes) {
    for (const claim of SCOPE_CLAIMS[scope] ?? []) {
      if (all[claim] !== undefined) (released as unknown as Record<string, unknown>)[claim] = all[claim];
    }
  }
  return released;
}
