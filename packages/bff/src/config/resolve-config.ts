import { ConfigurationError } from '@latchkey/common';
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
  type FetchToken,
  type SaveRequestToken,
  type ScopeDelimiter,
  type SignatureType,
  type TokenEndpointAuthMethod,
  type TokenPlacement,
  type UpdateToken,
  type UserInfoMapper,
  type CodeChallengeMethod,
  type ClientPrivateKey,
} from './client-config.js';

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
  codeChallengeMethod: CodeChallengeMethod;
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

function oneOf<T extends string>(allowed: readonly T[], value: unknown, key: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigurationError(`clientKwargs.${key}`, `clientKwargs.${key} must be one of ${allowed.join(', ')}.`);
}

function resolveKwargs(name: string, given: ClientKwargs | undefined, env: Env, hasSecret: boolean): ResolvedKwargs {
  let kwargs: ClientKwargs = given ?? {};
  if (given === undefined) {
    const raw = env[envVarName(name, 'clientKwargs')];
    if (raw !== undefined) {
      const parsed = parseJson(name, 'clientKwargs', raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new ConfigurationError('clientKwargs', `${envVarName(name, 'clientKwargs')} must be a JSON object.`);
      }
      kwargs = parsed as ClientKwargs;
    }
  }
  if (kwargs.scope !== undefined && typeof kwargs.scope !== 'string') {
    throw new ConfigurationError('clientKwargs.scope', 'clientKwargs.scope must be a space-separated string.');
  }
  const scopeDelimiter = kwargs.scopeDelimiter ?? ' ';
  if (!(SCOPE_DELIMITERS as readonly unknown[]).includes(scopeDelimiter)) {
    throw new ConfigurationError('clientKwargs.scopeDelimiter', 'clientKwargs.scopeDelimiter must be " " or ",".');
  }
  const timeoutMs = kwargs.timeoutMs ?? 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new ConfigurationError('clientKwargs.timeoutMs', 'clientKwargs.timeoutMs must be a positive number.');
  }
  if (kwargs.emptyClientSecret !== undefined && typeof kwargs.emptyClientSecret !== 'boolean') {
    throw new ConfigurationError('clientKwargs.emptyClientSecret', 'clientKwargs.emptyClientSecret must be true or false.');
  }
  const emptyClientSecret = kwargs.emptyClientSecret === true;
  return Object.freeze({
    scope: kwargs.scope,
    scopeDelimiter,
    tokenEndpointAuthMethod: oneOf(
      TOKEN_ENDPOINT_AUTH_METHODS,
      kwargs.tokenEndpointAuthMethod,
      'tokenEndpointAuthMethod',
      hasSecret || emptyClientSecret ? 'client_secret_basic' : 'none',
    ),
    basicAuthEncoding: oneOf(BASIC_AUTH_ENCODINGS, kwargs.basicAuthEncoding, 'basicAuthEncoding', 'unreserved'),
    emptyClientSecret,
    tokenPlacement: oneOf(TOKEN_PLACEMENTS, kwargs.tokenPlacement, 'tokenPlacement', 'header'),
    codeChallengeMethod: oneOf(CODE_CHALLENGE_METHODS, kwargs.codeChallengeMethod, 'codeChallengeMethod', 'S256'),
    signatureMethod: kwargs.signatureMethod ?? 'HMAC-SHA1',
    signatureType: oneOf(SIGNATURE_TYPES, kwargs.signatureType, 'signatureType', 'header'),
    rsaKey: kwargs.rsaKey,
    clientPrivateKey: kwargs.clientPrivateKey,
    dangerouslyAllowInsecureHttp: kwargs.dangerouslyAllowInsecureHttp === true,
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
    const value = config[key] ?? env[envVarName(name, key)];
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

  const clientId = required('clientId', '');
  const clientSecret = read('clientSecret');
  const kwargs = resolveKwargs(name, config.clientKwargs, env, clientSecret !== undefined);
  const insecure = kwargs.dangerouslyAllowInsecureHttp || options.dangerouslyAllowInsecureHttp === true;
  const requestTokenUrl = read('requestTokenUrl');
  const protocol = requestTokenUrl === undefined ? 'oauth2' : 'oauth1';
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
    required('clientSecret', `with ${method} `);
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
