/**
 * RFC 5849 section 3.4.4: PLAINTEXT sends the encoded consumer secret, `&`, and the encoded token
 * secret; the base string is not used. Only safe over TLS, which the server must enforce.
 */
import { constantTimeEqual } from '../constant-time.js';
import { sharedSecretKey } from './hmac.js';
import type { SignatureMethod, SigningKeys } from './signature-method.js';

export const plaintext: SignatureMethod = Object.freeze({
  sign: (_baseString: string, keys: SigningKeys): string => sharedSecretKey(keys),
  verify: (_baseString: string, signature: string, keys: SigningKeys): boolean => constantTimeEqual(sharedSecretKey(keys), signature),
});
