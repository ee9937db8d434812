import { ConfigurationError } from '@latchkey/common';
import { checkExtraSignatureMethods, getSignatureMethod, type ExtraSignatureMethods } from '@latchkey/oauth1';
import type { OAuth1SecretKind, OAuth1ServerOptions } from './options.js';

/** The options with every default applied, frozen once per factory call. */
export interface ResolvedOAuth1Options {
  readonly signatureMethods: readonly string[];
  readonly extraSignatureMethods: ExtraSignatureMethods;
  readonly dangerouslyAllowPlaintextOverHttp: boolean;
  readonly timestampWindowSeconds: number;
  readonly temporaryCredentialLifetimeSeconds: number;
  readonly tokenLength: number;
  readonly tokenSecretLength: number;
  readonly generateToken: ((kind: OAuth1SecretKind) => string) | undefined;
  readonly maxBodyBytes: number;
}

// Below 16 random base64url characters (96 bits) a token or secret could be guessed.
const MIN_SECRET_LENGTH = 16;
const MAX_SECRET_LENGTH = 512;

function integerOption(
  option: keyof OAuth1ServerOptions,
  value: number | undefined,
  fallback: number,
  [min, max]: readonly [number, number],
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigurationError(option, `OAuth 1 option "${option}" must be an integer from ${min} to ${max}.`);
  }
  return value;
}

const SECONDS = [1, 31_536_000] as const;
const LENGTH = [MIN_SECRET_LENGTH, MAX_SECRET_LENGTH] as const;

export function resolveOAuth1Options(options: OAuth1ServerOptions = {}): ResolvedOAuth1Options {
  const signatureMethods = [...(options.signatureMethods ?? ['HMAC-SHA1'])];
  if (signatureMethods.length === 0) {
    throw new ConfigurationError('signatureMethods', 'OAuth 1 option "signatureMethods" must name at least one method.');
  }
  checkExtraSignatureMethods(options.extraSignatureMethods);
  const extraSignatureMethods = Object.freeze({ ...options.extraSignatureMethods });
  for (const name of signatureMethods) {
    try {
      getSignatureMethod(name, { extraSignatureMethods });
    } catch (cause) {
      throw new ConfigurationError('signatureMethods', `Signature method "${name}" is not known; add it to extraSignatureMethods first.`, {
        cause,
      });
    }
  }
  if (options.generateToken !== undefined && typeof options.generateToken !== 'function') {
    throw new ConfigurationError('generateToken', 'OAuth 1 option "generateToken" must be a function.');
  }
  return Object.freeze({
    signatureMethods: Object.freeze(signatureMethods),
    extraSignatureMethods,
    dangerouslyAllowPlaintextOverHttp: options.dangerouslyAllowPlaintextOverHttp === true,
    timestampWindowSeconds: integerOption('timestampWindowSeconds', options.timestampWindowSeconds, 300, SECONDS),
    temporaryCredentialLifetimeSeconds: integerOption(
      'temporaryCredentialLifetimeSeconds',
      options.temporaryCredentialLifetimeSeconds,
      600,
      SECONDS,
    ),
    tokenLength: integerOption('tokenLength', options.tokenLength, 42, LENGTH),
    tokenSecretLength: integerOption('tokenSecretLength', options.tokenSecretLength, 48, LENGTH),
    generateToken: options.generateToken,
    maxBodyBytes: integerOption('maxBodyBytes', options.maxBodyBytes, 65_536, [1, 16_777_216]),
  });
}
