import { createPrivateKey } from 'node:crypto';
import { ConfigurationError } from '@latchkey/common';
import { signatureMethodNames } from '@latchkey/oauth1';
import { checkConfigKeys, checkKwargsKeys, isPlainObject } from './check-keys.js';
import {
  BASIC_AUTH_ENCODINGS,
  CODE_CHALLENGE_METHODS,
  SCOPE_DELIMITERS,
  SIGNATURE_TYPES,
  TOKEN_ENDPOINT_AUTH_METHODS,
  TOKEN_PLACEMENTS,
  type BasicAuthEncoding,
  type ClientConfig,
  type ClientKwargs,
  type ComplianceFix,
  type ExtraParams,
  type FetchRequestToken,
  type SaveRequestToken,
  type ScopeDelimiter,
  type SignatureType,
  type TokenEndpointAuthMethod,
  type TokenPlacement,
  type UserInfoMapper,
  type CodeChallengeMethod,
  type ClientPrivateKey,
} from './client-config.js';
import type { FetchToken, UpdateToken } from '../tokens/token-hooks.js';

/** A required provider key is missing: names the key, the provider and the environment variable it can come from. */
export class MissingConfigError extends ConfigurationError {
  readonly provider: string;
  /** E.g. `GITHUB_CLIENT_ID`. */
  readonly envVar: string;

  constructor(provider: string, key: string, why: string) {
    const envVar = envVarName(provider, key);
    super(key, `${key} is required for "${provider}" ${why}(or set ${envVar}).`);
    this.provider = provider;
    this.envVar = envVar;
  }
}

/** Provider names become URL segments and environment variable prefixes. */
const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const URL_KEYS = [
  'requestTokenUrl',
  'accessTokenUrl',
  'refreshTokenUrl',
  'authorizeUrl',
  'apiBaseUrl',
  'serverMetadataUrl',
  'revokeTokenUrl',
  'userInfoUrl',
] as const;
const STRING_KEYS = ['clientId', 'clientSecret', ...URL_KEYS, 'displayName'] as const;
const PARAM_KEYS = ['requestTokenParams', 'accessTokenParams', 'refreshTokenParams', 'authorizeParams'] as const;

/** `clientKwargs` after defaults. */
export interface ResolvedKwargs {
  scope: string | undefined;
  scopeDelimiter: ScopeDelimiter;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  basicAuthEncoding: BasicAuthEncoding;
  emptyClientSecret: boolean;
  tokenPlacement: TokenPlacement;
  /** `none` only with `dangerouslyDisablePkce`. */
  codeChallengeMethod: CodeChallengeMethod | 'none';
  signatureMethod: string;
  signatureType: SignatureType;
  rsaKey: string | undefined;
  clientPrivateKey: ClientPrivateKey | undefined;
  dangerouslyAllowInsecureHttp: boolean;
  timeoutMs: number;
}

/** A provider's configuration after the environment was read and every value checked; frozen. */
export interface ResolvedClientConfig {
  name: string;
  displayName: string;
  protocol: 'oauth2' | 'oauth1';
  clientId: string;
  clientSecret: string | undefined;
  requestTokenUrl: string | undefined;
  requestTokenParams: ExtraParams;
  accessTokenUrl: string | undefined;
  accessTokenParams: ExtraParams;
  refreshTokenUrl: string | undefined;
  refreshTokenParams: ExtraParams;
  authorizeUrl: string | undefined;
  authorizeParams: ExtraParams;
  apiBaseUrl: string | undefined;
  serverMetadataUrl: string | undefined;
  revokeTokenUrl: string | undefined;
  userInfoUrl: string | undefined;
  clientKwargs: ResolvedKwargs;
  fetchToken: FetchToken | undefined;
  updateToken: UpdateToken | undefined;
  saveRequestToken: SaveRequestToken | undefined;
  fetchRequestToken: FetchRequestToken | undefined;
  complianceFix: ComplianceFix;
  userInfo: UserInfoMapper | undefined;
}

/** `clientId` -> `CLIENT_ID`. */
export function toUpperSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The environment variable a key of provider `name` is read from: `github`, `clientId` -> `GITHUB_CLIENT_ID`. */
export function envVarName(name: string, key: string): string {
  return `${name.replace(/-/g, '_').toUpperCase()}_${toUpperSnake(key)}`;
}

type Env = Readonly<Record<string, string | undefined>>;

function parseJson(name: string, key: string, raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch (cause) {
    throw new ConfigurationError(key, `${envVarName(name, key)} must be JSON.`, { cause });
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === 'string')
  );
}

/** oauth4webapi's `PrivateKey`: `{ key, kid? }` with a private `CryptoKey` (RFC 7523 section 2.2 signs with it). */
function isPrivateKey(value: unknown): value is ClientPrivateKey {
  if (typeof value !== 'object' || value === null) return false;
  const { key, kid } = value as { key?: unknown; kid?: unknown };
  return (
    typeof key === 'object' &&
    key !== null &&
    (key as { type?: unknown }).type === 'private' &&
    typeof (key as { algorithm?: unknown }).algorithm === 'object' &&
    (kid === undefined || typeof kid === 'string')
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

/** Reads and checks every `clientKwargs` key: its name, its protocol, its type and its value. */
function resolveKwargs(name: string, given: ClientKwargs | undefined, env: Env, protocol: 'oauth2' | 'oauth1'): ResolvedKwargs {
  const { kwargs, source } = readKwargs(name, given, env);
  checkKwargsKeys(name, kwargs, protocol, source);
  const bad = (key: string, rule: string, cause?: unknown) =>
    new ConfigurationError(`clientKwargs.${key}`, `clientKwargs.${key} ${rule} (${source}).`, cause === undefined ? undefined : { cause });
  const oneOf = <T extends string>(allowed: readonly T[], value: unknown, key: string, fallback: T): T => {
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    throw bad(key, `must be one of ${allowed.join(', ')}`);
  };
  const flag = (key: keyof ClientKwargs): boolean => {
    const value = kwargs[key];
    if (value === undefined) return false;
    if (typeof value !== 'boolean') throw bad(key, 'must be true or false');
    return value;
  };
  const text = (key: keyof ClientKwargs): string | undefined => {
    const value = kwargs[key];
    if (value !== undefined && typeof value !== 'string') throw bad(key, 'must be a string');
    return value;
  };

  const scope = text('scope');
  const scopeDelimiter = oneOf(SCOPE_DELIMITERS, kwargs.scopeDelimiter, 'scopeDelimiter', ' ');
  const timeoutMs = kwargs.timeoutMs ?? 10_000;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) throw bad('timeoutMs', 'must be a positive number');
  const emptyClientSecret = flag('emptyClientSecret');
  const tokenEndpointAuthMethod = oneOf(TOKEN_ENDPOINT_AUTH_METHODS, kwargs.tokenEndpointAuthMethod, 'tokenEndpointAuthMethod', 'client_secret_basic');

  // RFC 9700 section 2.1.1: PKCE is always on; turning it off must be said in words that stand out.
  if (kwargs.codeChallengeMethod === 'none') {
    throw bad('codeChallengeMethod', 'cannot be "none"; for a provider that rejects PKCE set clientKwargs.dangerouslyDisablePkce: true');
  }
  const codeChallengeMethod = oneOf(CODE_CHALLENGE_METHODS, kwargs.codeChallengeMethod, 'codeChallengeMethod', 'S256');
  const disablePkce = flag('dangerouslyDisablePkce');
  if (disablePkce && kwargs.codeChallengeMethod !== undefined) throw bad('codeChallengeMethod', 'contradicts dangerouslyDisablePkce');

  const signatureMethod = text('signatureMethod') ?? 'HMAC-SHA1';
  if (!signatureMethodNames().includes(signatureMethod)) {
    throw bad('signatureMethod', `must be one of ${signatureMethodNames().join(', ')} (others need registerSignatureMethod first)`);
  }
  const rsaKey = text('rsaKey');
  if (rsaKey !== undefined) {
    if (SECRET_ONLY_METHODS.includes(signatureMethod)) throw bad('rsaKey', `does nothing with ${signatureMethod}; it is for RSA-SHA1`);
    const parsed = parseRsaKey(rsaKey);
    if (!parsed.ok) throw bad('rsaKey', 'must be an RSA private key in PEM', parsed.cause);
  }
  const clientPrivateKey = kwargs.clientPrivateKey;
  if (clientPrivateKey !== undefined) {
    if (!isPrivateKey(clientPrivateKey)) throw bad('clientPrivateKey', 'must be { key: a private CryptoKey, kid? }');
    if (tokenEndpointAuthMethod !== 'private_key_jwt') throw bad('clientPrivateKey', 'is for tokenEndpointAuthMethod private_key_jwt only');
  }
  return Object.freeze({
    scope,
    scopeDelimiter,
    tokenEndpointAuthMethod,
    basicAuthEncoding: oneOf(BASIC_AUTH_ENCODINGS, kwargs.basicAuthEncoding, 'basicAuthEncoding', 'unreserved'),
    emptyClientSecret,
    tokenPlacement: oneOf(TOKEN_PLACEMENTS, kwargs.tokenPlacement, 'tokenPlacement', 'header'),
    codeChallengeMethod: disablePkce ? 'none' : codeChallengeMethod,
    signatureMethod,
    signatureType: oneOf(SIGNATURE_TYPES, kwargs.signatureType, 'signatureType', 'header'),
    rsaKey,
    clientPrivateKey,
    dangerouslyAllowInsecureHttp: flag('dangerouslyAllowInsecureHttp'),
    timeoutMs,
  });
}

export interface ResolveOptions {
  /** Where unset keys are read from. Default `process.env`. */
  env?: Env;
  /** Registry-wide switch for `http:` provider URLs. Default false. */
  dangerouslyAllowInsecureHttp?: boolean;
}

/**
 * Reads every key not given from `{NAME}_{KEY}`, checks required keys and URLs, and freezes the result.
 * Throws `ConfigurationError` naming the key and its environment variable.
 */
export function resolveClientConfig(name: string, config: ClientConfig, options: ResolveOptions = {}): ResolvedClientConfig {
  if (!NAME_PATTERN.test(name)) {
    throw new ConfigurationError('name', `Provider name "${name}" must match ${String(NAME_PATTERN)}.`);
  }
  const env = options.env ?? process.env;
  const read = (key: (typeof STRING_KEYS)[number]): string | undefined => {
    const given: unknown = config[key];
    if (given !== undefined && typeof given !== 'string') throw new ConfigurationError(key, `${key} of "${name}" must be a string.`);
    const value = given ?? env[envVarName(name, key)];
    return value === '' ? undefined : value;
  };
  const readParams = (key: (typeof PARAM_KEYS)[number]): ExtraParams => {
    const given = config[key];
    const raw = env[envVarName(name, key)];
    const value = given ?? (raw === undefined ? {} : parseJson(name, key, raw));
    if (!isStringRecord(value)) {
      throw new ConfigurationError(key, `${key} must map parameter names to strings (${envVarName(name, key)}).`);
    }
    return Object.freeze({ ...value });
  };
  const required = (key: (typeof STRING_KEYS)[number], why: string): string => {
    const value = read(key);
    if (value === undefined) throw new MissingConfigError(name, key, why);
    return value;
  };

  const requestTokenUrl = read('requestTokenUrl');
  const protocol = requestTokenUrl === undefined ? 'oauth2' : 'oauth1';
  // Every key set, given or from the environment, must be one this protocol uses.
  const present = new Set(Object.keys(config).filter((key) => config[key as keyof ClientConfig] !== undefined));
  for (const key of [...STRING_KEYS, ...PARAM_KEYS]) if ((env[envVarName(name, key)] ?? '') !== '') present.add(key);
  checkConfigKeys(name, config, protocol, present);
  const clientId = required('clientId', '');
  const clientSecret = read('clientSecret');
  const kwargs = resolveKwargs(name, config.clientKwargs, env, protocol);
  const insecure = kwargs.dangerouslyAllowInsecureHttp || options.dangerouslyAllowInsecureHttp === true;
  const serverMetadataUrl = read('serverMetadataUrl');

  let authorizeUrl: string | undefined;
  let accessTokenUrl: string | undefined;
  if (protocol === 'oauth1' || serverMetadataUrl === undefined) {
    const why = protocol === 'oauth1' ? '' : 'without serverMetadataUrl ';
    authorizeUrl = required('authorizeUrl', why);
    accessTokenUrl = required('accessTokenUrl', why);
  } else {
    authorizeUrl = read('authorizeUrl');
    accessTokenUrl = read('accessTokenUrl');
  }
  const method = kwargs.tokenEndpointAuthMethod;
  checkBasicAuth(name, protocol, clientId, clientSecret, kwargs);
  if (protocol === 'oauth2' && (method === 'client_secret_basic' || method === 'client_secret_post') && !kwargs.emptyClientSecret) {
    // A confidential client without its secret is a mistake, never a quiet switch to a public client.
    required('clientSecret', `with ${method}; a public client says clientKwargs.tokenEndpointAuthMethod "none" `);
  }
  if (protocol === 'oauth2' && method === 'private_key_jwt' && !isPrivateKey(kwargs.clientPrivateKey)) {
    throw new ConfigurationError(
      'clientKwargs.clientPrivateKey',
      `private_key_jwt needs clientKwargs.clientPrivateKey ({ key: a private CryptoKey, kid? }) for "${name}"; it cannot come from ${envVarName(name, 'clientKwargs')}.`,
    );
  }
  if (protocol === 'oauth1') {
    if (kwargs.signatureMethod === 'RSA-SHA1') {
      if (kwargs.rsaKey === undefined) {
        throw new ConfigurationError('clientKwargs.rsaKey', `RSA-SHA1 needs clientKwargs.rsaKey for "${name}" (or ${envVarName(name, 'clientKwargs')}).`);
      }
    } else {
      required('clientSecret', `with ${kwargs.signatureMethod} `);
    }
  }
  if ((config.saveRequestToken === undefined) !== (config.fetchRequestToken === undefined)) {
    throw new ConfigurationError('fetchRequestToken', 'saveRequestToken and fetchRequestToken go together.');
  }

  const resolved: ResolvedClientConfig = {
    name,
    displayName: read('displayName') ?? name,
    protocol,
    clientId,
    clientSecret: kwargs.emptyClientSecret ? '' : clientSecret,
    requestTokenUrl,
    requestTokenParams: readParams('requestTokenParams'),
    accessTokenUrl,
    accessTokenParams: readParams('accessTokenParams'),
    refreshTokenUrl: read('refreshTokenUrl'),
    refreshTokenParams: readParams('refreshTokenParams'),
    authorizeUrl,
    authorizeParams: readParams('authorizeParams'),
    apiBaseUrl: read('apiBaseUrl'),
    serverMetadataUrl,
    revokeTokenUrl: read('revokeTokenUrl'),
    userInfoUrl: read('userInfoUrl'),
    clientKwargs: kwargs,
    fetchToken: config.fetchToken,
    updateToken: config.updateToken,
    saveRequestToken: config.saveRequestToken,
    fetchRequestToken: config.fetchRequestToken,
    complianceFix: Object.freeze({ ...config.complianceFix }),
    userInfo: config.userInfo,
  };
  for (const key of URL_KEYS) checkUrl(name, key, resolved[key], insecure);
  return Object.freeze(resolved);
}

/** RFC 7617 section 2: control characters are not allowed in Basic credentials, nor a colon in the user-id. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * The raw Basic encoding and the empty secret only make sense with `client_secret_basic` of OAuth 2,
 * and raw credentials must be ones RFC 7617 can carry, since nothing encodes them.
 */
function checkBasicAuth(
  name: string,
  protocol: 'oauth2' | 'oauth1',
  clientId: string,
  clientSecret: string | undefined,
  kwargs: ResolvedKwargs,
): void {
  const basic = protocol === 'oauth2' && kwargs.tokenEndpointAuthMethod === 'client_secret_basic';
  if (kwargs.emptyClientSecret) {
    if (!basic || kwargs.basicAuthEncoding !== 'none') {
      throw new ConfigurationError(
        'clientKwargs.emptyClientSecret',
        `clientKwargs.emptyClientSecret of "${name}" needs OAuth 2 with client_secret_basic and basicAuthEncoding "none".`,
      );
    }
    if (clientSecret !== undefined) {
      throw new ConfigurationError(
        'clientSecret',
        `"${name}" declares clientKwargs.emptyClientSecret, so it takes no client secret (unset ${envVarName(name, 'clientSecret')}).`,
      );
    }
  }
  if (kwargs.basicAuthEncoding === 'none') {
    if (!basic) {
      throw new ConfigurationError(
        'clientKwargs.basicAuthEncoding',
        `clientKwargs.basicAuthEncoding of "${name}" applies to OAuth 2 client_secret_basic only.`,
      );
    }
    if (clientId.includes(':') || CONTROL_CHARACTER.test(clientId)) {
      throw new ConfigurationError('clientId', `The clientId of "${name}" cannot be sent in raw HTTP Basic: it has a colon or a control character.`);
    }
    if (clientSecret !== undefined && CONTROL_CHARACTER.test(clientSecret)) {
      throw new ConfigurationError('clientSecret', `The clientSecret of "${name}" cannot be sent in raw HTTP Basic: it has a control character.`);
    }
  }
}

function checkUrl(name: string, key: (typeof URL_KEYS)[number], value: string | undefined, insecure: boolean): void {
  if (value === undefined) return;
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigurationError(key, `${key} of "${name}" is not an absolute URL (${envVarName(name, key)}).`, { cause });
  }
  if (url.protocol !== 'https:' && !(insecure && url.protocol === 'http:')) {
    throw new ConfigurationError(
      key,
      `${key} of "${name}" must use https: (http: needs clientKwargs.dangerouslyAllowInsecureHttp).`,
    );
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') {
    throw new ConfigurationError(key, `${key} of "${name}" must not carry credentials or a fragment.`);
  }
}
