import { createPrivateKey } from 'node:crypto';
import { ConfigurationError } from '@latchkey/common';
import { getSignatureMethod, signatureMethodNames, type ExtraSignatureMethods } from '@latchkey/oauth1';
import { checkKwargsKeys, isPlainObject } from './check-keys.js';
import {
  BASIC_AUTH_ENCODINGS,
  CODE_CHALLENGE_METHODS,
  SCOPE_DELIMITERS,
  SIGNATURE_TYPES,
  TOKEN_ENDPOINT_AUTH_METHODS,
  TOKEN_PLACEMENTS,
  type ClientKwargs,
  type ClientKwargsKey,
  type ClientPrivateKey,
} from './client-config.js';
import { envVarName, parseJson, type Env } from './env.js';
import type { ResolvedOAuth1Kwargs, ResolvedOAuth2Kwargs } from './resolved-config.js';

/** oauth4webapi's `PrivateKey`: `{ key, kid? }` with a private `CryptoKey` (RFC 7523 section 2.2 signs with it). */
export function isPrivateKey(value: unknown): value is ClientPrivateKey {
  if (!isPlainObject(value) || typeof value.key !== 'object' || value.key === null) return false;
  const key: object = value.key;
  return (
    'type' in key &&
    key.type === 'private' &&
    'algorithm' in key &&
    typeof key.algorithm === 'object' &&
    (value.kid === undefined || typeof value.kid === 'string')
  );
}

/** `clientKwargs` as given, else parsed from `{NAME}_CLIENT_KWARGS`, and where they came from (for messages). */
function readKwargs(name: string, given: ClientKwargs | undefined, env: Env): { kwargs: Record<string, unknown>; source: string } {
  if (given !== undefined) {
    if (!isPlainObject(given)) throw new ConfigurationError('clientKwargs', `clientKwargs of "${name}" must be an object.`);
    return { kwargs: given, source: `provider "${name}"` };
  }
  const envVar = envVarName(name, 'clientKwargs');
  const raw = env[envVar];
  if (raw === undefined) return { kwargs: {}, source: `provider "${name}"` };
  const parsed = parseJson(name, 'clientKwargs', raw);
  if (!isPlainObject(parsed)) throw new ConfigurationError('clientKwargs', `${envVar} must be a JSON object.`);
  return { kwargs: parsed, source: envVar };
}

/** Typed reads of `clientKwargs` values that came as `unknown` (JSON, or JavaScript without types). */
function kwargsReader(kwargs: Record<string, unknown>, source: string) {
  const bad = (key: ClientKwargsKey, rule: string, cause?: unknown) =>
    new ConfigurationError(`clientKwargs.${key}`, `clientKwargs.${key} ${rule} (${source}).`, cause === undefined ? undefined : { cause });
  /** `undefined` when unset, for a switch whose default depends on the provider. */
  const optionalFlag = (key: ClientKwargsKey): boolean | undefined => {
    const value = kwargs[key];
    if (value !== undefined && typeof value !== 'boolean') throw bad(key, 'must be true or false');
    return value;
  };
  return {
    bad,
    optionalFlag,
    oneOf<T extends string>(key: ClientKwargsKey, allowed: readonly T[], fallback: T): T {
      const value = kwargs[key];
      if (value === undefined) return fallback;
      const found = allowed.find((entry) => entry === value);
      if (found === undefined) throw bad(key, `must be one of ${allowed.join(', ')}`);
      return found;
    },
    flag: (key: ClientKwargsKey): boolean => optionalFlag(key) ?? false,
    text(key: ClientKwargsKey): string | undefined {
      const value = kwargs[key];
      if (value !== undefined && typeof value !== 'string') throw bad(key, 'must be a string');
      return value;
    },
    timeoutMs(): number {
      const value = kwargs.timeoutMs ?? 10_000;
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw bad('timeoutMs', 'must be a positive number');
      return value;
    },
  };
}

/** Reads and checks every OAuth 2 `clientKwargs` key: its name, its protocol, its type and its value. */
export function resolveOAuth2Kwargs(name: string, given: ClientKwargs | undefined, env: Env): ResolvedOAuth2Kwargs {
  const { kwargs, source } = readKwargs(name, given, env);
  checkKwargsKeys(name, kwargs, 'oauth2', source);
  const { bad, oneOf, flag, optionalFlag, text, timeoutMs: readTimeout } = kwargsReader(kwargs, source);
  const scope = text('scope');
  const scopeDelimiter = oneOf('scopeDelimiter', SCOPE_DELIMITERS, ' ');
  const timeoutMs = readTimeout();
  const emptyClientSecret = flag('emptyClientSecret');
  const tokenEndpointAuthMethod = oneOf('tokenEndpointAuthMethod', TOKEN_ENDPOINT_AUTH_METHODS, 'client_secret_basic');

  // RFC 9700 section 2.1.1: PKCE is always on; turning it off must be said in words that stand out.
  if (kwargs.codeChallengeMethod === 'none') {
    throw bad('codeChallengeMethod', 'cannot be "none"; for a provider that rejects PKCE set clientKwargs.dangerouslyDisablePkce: true');
  }
  const codeChallengeMethod = oneOf('codeChallengeMethod', CODE_CHALLENGE_METHODS, 'S256');
  const disablePkce = flag('dangerouslyDisablePkce');
  if (disablePkce && kwargs.codeChallengeMethod !== undefined) throw bad('codeChallengeMethod', 'contradicts dangerouslyDisablePkce');

  const clientPrivateKey = kwargs.clientPrivateKey;
  if (clientPrivateKey !== undefined) {
    if (!isPrivateKey(clientPrivateKey)) throw bad('clientPrivateKey', 'must be { key: a private CryptoKey, kid? }');
    if (tokenEndpointAuthMethod !== 'private_key_jwt') throw bad('clientPrivateKey', 'is for tokenEndpointAuthMethod private_key_jwt only');
  }
  const tokenPlacement = oneOf('tokenPlacement', TOKEN_PLACEMENTS, 'header');
  // RFC 9449 section 7.1: a DPoP-bound token travels in the Authorization header only.
  const dpop = flag('dpop');
  if (dpop && tokenPlacement !== 'header') throw bad('tokenPlacement', 'must be "header" with dpop (RFC 9449 section 7.1)');
  return Object.freeze({
    scope,
    scopeDelimiter,
    tokenEndpointAuthMethod,
    basicAuthEncoding: oneOf('basicAuthEncoding', BASIC_AUTH_ENCODINGS, 'unreserved'),
    emptyClientSecret,
    tokenPlacement,
    codeChallengeMethod: disablePkce ? 'none' : codeChallengeMethod,
    clientPrivateKey,
    pushedAuthorizationRequests: optionalFlag('pushedAuthorizationRequests'),
    dpop,
    dangerouslyAllowInsecureHttp: flag('dangerouslyAllowInsecureHttp'),
    timeoutMs,
  });
}

/** Built-in OAuth 1 methods that sign with the shared secrets only, so an `rsaKey` beside them does nothing. */
const SECRET_ONLY_METHODS = ['HMAC-SHA1', 'PLAINTEXT'];

/** Parses an RSA private key in PEM (RFC 5849 section 3.4.3 signs with it), so a bad one fails at `register`. */
function parseRsaKey(value: string): { ok: true } | { ok: false; cause?: unknown } {
  try {
    return createPrivateKey(value).asymmetricKeyType === 'rsa' ? { ok: true } : { ok: false };
  } catch (cause) {
    return { ok: false, cause };
  }
}

/**
 * Reads and checks every OAuth 1 `clientKwargs` key: its name, its protocol, its type and its value. The
 * signature method is a built-in one or one of the registry's `extraSignatureMethods`, kept beside its name.
 */
export function resolveOAuth1Kwargs(
  name: string,
  given: ClientKwargs | undefined,
  env: Env,
  extraSignatureMethods: ExtraSignatureMethods,
): ResolvedOAuth1Kwargs {
  const { kwargs, source } = readKwargs(name, given, env);
  checkKwargsKeys(name, kwargs, 'oauth1', source);
  const { bad, oneOf, flag, text, timeoutMs } = kwargsReader(kwargs, source);
  const timeout = timeoutMs();
  const signatureMethod = text('signatureMethod') ?? 'HMAC-SHA1';
  const known = signatureMethodNames({ extraSignatureMethods });
  if (!known.includes(signatureMethod)) {
    throw bad('signatureMethod', `must be one of ${known.join(', ')} (others go in the registry's extraSignatureMethods)`);
  }
  const builtIn = signatureMethodNames().includes(signatureMethod);
  const rsaKey = text('rsaKey');
  if (rsaKey !== undefined) {
    if (SECRET_ONLY_METHODS.includes(signatureMethod)) throw bad('rsaKey', `does nothing with ${signatureMethod}; it is for RSA-SHA1`);
    const parsed = parseRsaKey(rsaKey);
    if (!parsed.ok) throw bad('rsaKey', 'must be an RSA private key in PEM', parsed.cause);
  }
  return Object.freeze({
    signatureMethod,
    extraSignatureMethods: Object.freeze(
      builtIn ? {} : { [signatureMethod]: getSignatureMethod(signatureMethod, { extraSignatureMethods }) },
    ),
    signatureType: oneOf('signatureType', SIGNATURE_TYPES, 'header'),
    rsaKey,
    dangerouslyAllowInsecureHttp: flag('dangerouslyAllowInsecureHttp'),
    timeoutMs: timeout,
  });
}
