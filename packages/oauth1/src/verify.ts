/**
 * RFC 5849 section 3.2: the server rebuilds the signature base string from the request it received
 * and checks `oauth_signature` with the client's credentials, in constant time for shared secrets.
 */
import { signatureBaseString } from './base-string.js';
import type { ReceivedOAuthParameters } from './read-parameters.js';
import type { OAuth1Request } from './request.js';
import { getSignatureMethod, type SignatureMethodOptions } from './signature-methods/registry.js';
import type { SigningKeys } from './signature-methods/signature-method.js';

/**
 * True when the signature matches. An unreadable RSA key is `invalid_key`; a method neither built in nor
 * in `options.extraSignatureMethods` is `signature_method_rejected`.
 */
export function verifySignature(
  request: OAuth1Request,
  received: ReceivedOAuthParameters,
  keys: SigningKeys,
  options: SignatureMethodOptions = {},
): boolean {
  const method = getSignatureMethod(received.signatureMethod, options);
  const baseString = signatureBaseString(request.method, request.url, received.params);
  return method.verify(baseString, received.signature, keys);
}
