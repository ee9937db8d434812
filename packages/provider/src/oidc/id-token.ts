import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import type { UserAccount } from '../accounts/user-directory.js';
import type { ProviderRuntime } from '../runtime.js';
import { claimsForScopes } from './claims.js';

export interface IdTokenInput {
  user: UserAccount;
  clientId: string;
  scopes: readonly string[];
  authTime: number;
  nonce?: string | undefined;
  /** The login session's `sid` (Back-Channel Logout 1.0 section 2.1), when the grant was made in one. */
  sid?: string | undefined;
  /** The access token issued with it, for `at_hash` (OpenID Connect Core section 3.1.3.6). */
  accessToken: string;
}

/** `at_hash`: the left half of SHA-256 of the access token, base64url (RS256 uses SHA-256). */
export function accessTokenHash(accessToken: string): string {
  const digest = createHash('sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** Signs an RS256 ID token (OpenID Connect Core section 2) with the current key. */
export async function signIdToken(runtime: ProviderRuntime, input: IdTokenInput): Promise<string> {
  const now = Math.floor(runtime.context.now() / 1000);
  // Profile and email claims go in the ID token too, as no userinfo call is then needed for them.
  const { sub, ...claims } = claimsForScopes(input.user, input.scopes);
  const payload: Record<string, unknown> = { ...claims, auth_time: input.authTime, at_hash: accessTokenHash(input.accessToken) };
  if (input.nonce !== undefined) payload.nonce = input.nonce;
  if (input.sid !== undefined) payload.sid = input.sid;
  const key = runtime.keys.current;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(runtime.context.issuer)
    .setSubject(sub)
    .setAudience(input.clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + runtime.lifetimes.idToken)
    .sign(key.privateKey);
}
