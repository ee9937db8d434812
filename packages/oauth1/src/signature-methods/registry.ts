/**
 * RFC 5849 section 3.4: the signature methods by `oauth_signature_method` name. HMAC-SHA1,
 * RSA-SHA1 and PLAINTEXT are built in and cannot be replaced; callers may add others.
 */
import { ConfigurationError } from '@latchkey/common';
import { OAuth1Error } from '../errors.js';
import { hmacSha1 } from './hmac.js';
import { plaintext } from './plaintext.js';
import { rsaSha1 } from './rsa-sha1.js';
import type { SignatureMethod } from './signature-method.js';

const BUILT_IN: ReadonlyMap<string, SignatureMethod> = new Map([
  ['HMAC-SHA1', hmacSha1],
  ['RSA-SHA1', rsaSha1],
  ['PLAINTEXT', plaintext],
]);

const registered = new Map<string, SignatureMethod>(BUILT_IN);

// Section 3.1 sends the name as a parameter value; keep it to characters that need no encoding.
const METHOD_NAME = /^[A-Za-z0-9\-._~]+$/;

/** Adds (or replaces a previously added) method. Replacing a built-in one is refused. */
export function registerSignatureMethod(name: string, method: SignatureMethod): void {
  if (!METHOD_NAME.test(name)) {
    throw new ConfigurationError('name', 'A signature method name must be unreserved characters only.');
  }
  if (BUILT_IN.has(name)) {
    throw new ConfigurationError('name', `The built-in ${name} signature method cannot be replaced.`);
  }
  if (typeof method?.sign !== 'function' || typeof method.verify !== 'function') {
    throw new ConfigurationError('method', 'A signature method needs sign and verify functions.');
  }
  registered.set(name, method);
}

/** The method registered under `name` (exact, case-sensitive); else `signature_method_rejected`. */
export function getSignatureMethod(name: string): SignatureMethod {
  const method = registered.get(name);
  if (method === undefined) {
    throw new OAuth1Error('signature_method_rejected', 'The signature method is not supported.', {
      parameter: 'oauth_signature_method',
    });
  }
  return method;
}

/** Names of every registered method. */
export function signatureMethodNames(): string[] {
  return [...registered.keys()];
}
