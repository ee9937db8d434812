/**
 * RFC 5849 section 3.4: the signature methods by `oauth_signature_method` name. HMAC-SHA1, RSA-SHA1 and
 * PLAINTEXT are built in and cannot be replaced. Others are passed to each signer and verifier that may
 * use them (`extraSignatureMethods`), never registered process-wide, so one part of a process cannot
 * change what another accepts.
 */
import { ConfigurationError } from '@latchkey/common';
import { OAuth1Error } from '../errors.js';
import { hmacSha1 } from './hmac.js';
import { plaintext } from './plaintext.js';
import { rsaSha1 } from './rsa-sha1.js';
import type { SignatureMethod } from './signature-method.js';

/** Methods added beside the built-in ones, by `oauth_signature_method` name (e.g. `{ 'HMAC-SHA256': hmacSha256 }`). */
export type ExtraSignatureMethods = Readonly<Record<string, SignatureMethod>>;

/** The options of every function that looks a method up by name. */
export interface SignatureMethodOptions {
  /** Methods beside HMAC-SHA1, RSA-SHA1 and PLAINTEXT, by name. Default none. */
  extraSignatureMethods?: ExtraSignatureMethods | undefined;
}

const BUILT_IN: ReadonlyMap<string, SignatureMethod> = new Map([
  ['HMAC-SHA1', hmacSha1],
  ['RSA-SHA1', rsaSha1],
  ['PLAINTEXT', plaintext],
]);

// Section 3.1 sends the name as a parameter value; keep it to characters that need no encoding.
const METHOD_NAME = /^[A-Za-z0-9\-._~]+$/;

/**
 * Refuses, with a `ConfigurationError` naming `option`, a name that needs encoding or is a built-in one,
 * and a method without `sign` and `verify`. Call it where the methods are configured.
 */
export function checkExtraSignatureMethods(extra: ExtraSignatureMethods | undefined, option = 'extraSignatureMethods'): void {
  for (const [name, method] of Object.entries(extra ?? {})) {
    if (!METHOD_NAME.test(name)) {
      throw new ConfigurationError(option, `${option}: a signature method name must be unreserved characters only.`);
    }
    if (BUILT_IN.has(name)) {
      throw new ConfigurationError(option, `${option}: the built-in ${name} signature method cannot be replaced.`);
    }
    if (typeof method?.sign !== 'function' || typeof method.verify !== 'function') {
      throw new ConfigurationError(option, `${option}: the ${name} signature method needs sign and verify functions.`);
    }
  }
}

/** The method named `name` (exact, case-sensitive), built in or extra; else `signature_method_rejected`. */
export function getSignatureMethod(name: string, options: SignatureMethodOptions = {}): SignatureMethod {
  const extra = options.extraSignatureMethods;
  const method = BUILT_IN.get(name) ?? (extra !== undefined && Object.hasOwn(extra, name) ? extra[name] : undefined);
  if (method === undefined) {
    throw new OAuth1Error('signature_method_rejected', 'The signature method is not supported.', {
      parameter: 'oauth_signature_method',
    });
  }
  return method;
}

/** Names of the built-in methods and of the extra ones. */
export function signatureMethodNames(options: SignatureMethodOptions = {}): string[] {
  return [...BUILT_IN.keys(), ...Object.keys(options.extraSignatureMethods ?? {}).filter((name) => !BUILT_IN.has(name))];
}
