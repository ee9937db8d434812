import { createHash, randomBytes } from 'node:crypto';

/** A new opaque token or code: 256 random bits, base64url. */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What storage keys use instead of the token itself, so a storage dump reveals no usable token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
