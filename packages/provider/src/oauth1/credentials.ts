/**
 * The credentials of RFC 5849 section 2: temporary credentials (2.1), the user's authorization of
 * one (2.2) and token credentials (2.3), as stored in the provider's KeyValueStore.
 *
 * Keys hold a SHA-256 digest of the token, never the token itself, so a store's key listing, slow
 * log or key-space notifications do not leak usable tokens. The secrets sit in the values: HMAC and
 * PLAINTEXT verification need them in the clear.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ConfigurationError } from '@latchkey/common';
import type { OAuth1SecretKind } from './options.js';
import type { ResolvedOAuth1Options } from './resolve-options.js';

export interface TemporaryCredentialRecord {
  clientId: string;
  secret: string;
  /** The registered callback URI named at initiation, or `oob`. */
  callback: string;
  /** Epoch milliseconds after which the credential is refused as expired. */
  expiresAt: number;
}

/** Written once when the user allows access (section 2.2); read by the token request. */
export interface AuthorizationRecord {
  sub: string;
  verifier: string;
}

export interface TokenCredentialRecord {
  clientId: string;
  sub: string;
  secret: string;
  /** Epoch seconds. */
  issuedAt: number;
}

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

export const temporaryKey = (token: string) => `oauth1:temporary:${digest(token)}`;
export const authorizationKey = (token: string) => `oauth1:authorized:${digest(token)}`;
export const tokenKey = (token: string) => `oauth1:token:${digest(token)}`;

/** RFC 5849 section 3.3: a nonce is unique per client credentials, token and timestamp. */
export function nonceKey(clientId: string, token: string | undefined, timestamp: number, nonce: string): string {
  const parts = [clientId, token ?? '', String(timestamp), nonce];
  return `oauth1:nonce:${digest(JSON.stringify(parts))}`;
}

// Expired temporary credentials stay this long past their lifetime so a late token request is told
// `token_expired` rather than the vaguer `token_rejected`; they are refused either way.
export const EXPIRED_GRACE_SECONDS = 600;

/** Unreserved characters only (RFC 3986 section 2.3), so values survive percent-encoding unchanged. */
const GENERATED_PATTERN = /^[A-Za-z0-9\-._~]{16,512}$/;

/** A fresh token, secret or verifier: random base64url of the configured length, or the app's own generator. */
export function generateSecret(options: ResolvedOAuth1Options, kind: OAuth1SecretKind): string {
  if (options.generateToken) {
    const value = options.generateToken(kind);
    if (typeof value !== 'string' || !GENERATED_PATTERN.test(value)) {
      throw new ConfigurationError(
        'generateToken',
        `generateToken("${kind}") must return 16 to 512 unreserved characters (A-Z a-z 0-9 - . _ ~).`,
      );
    }
    return value;
  }
  const length = kind === 'temporary_secret' || kind === 'token_secret' ? options.tokenSecretLength : options.tokenLength;
  return randomBytes(Math.ceil((length * 3) / 4))
    .toString('base64url')
    .slice(0, length);
}
