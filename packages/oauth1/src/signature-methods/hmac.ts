/**
 * RFC 5849 section 3.4.2: HMAC-SHA1, keyed with the encoded consumer secret, `&`, and the encoded
 * token secret; the digest is base64 encoded. HMAC-SHA256 is the same construction with SHA-256
 * (as draft-ietf-oauth-signature-method-hmac-sha256 / many providers use it); it is not registered
 * by default.
 */
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../constant-time.js';
import { percentEncode } from '../percent-encoding.js';
import type { SignatureMethod, SigningKeys } from './signature-method.js';

/** Section 3.4.2: the HMAC key, also the PLAINTEXT signature (section 3.4.4). */
export function sharedSecretKey(keys: SigningKeys): string {
  return `${percentEncode(keys.consumerSecret ?? '')}&${percentEncode(keys.tokenSecret ?? '')}`;
}

function hmacMethod(digest: 'sha1' | 'sha256'): SignatureMethod {
  const sign = (baseString: string, keys: SigningKeys): string =>
    createHmac(digest, sharedSecretKey(keys)).update(baseString, 'utf8').digest('base64');
  return Object.freeze({
    sign,
    verify: (baseString: string, signature: string, keys: SigningKeys): boolean => constantTimeEqual(sign(baseString, keys), signature),
  });
}

export const hmacSha1: SignatureMethod = hmacMethod('sha1');
export const hmacSha256: SignatureMethod = hmacMethod('sha256');
