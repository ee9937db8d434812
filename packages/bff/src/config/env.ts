import { ConfigurationError } from '@latchkey/common';
import type { ClientConfig, ExtraParams } from './client-config.js';

/** Where keys left out of `register` are read from (`process.env` by default). */
export type Env = Readonly<Record<string, string | undefined>>;

/** `clientId` -> `CLIENT_ID`. */
function toUpperSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The environment variable a key of provider `name` is read from: `github`, `clientId` -> `GITHUB_CLIENT_ID`. */
export function envVarName(name: string, key: string): string {
  return `${name.replace(/-/g, '_').toUpperCase()}_${toUpperSnake(key)}`;
}

export function parseJson(name: string, key: string, raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch (cause) {
    throw new ConfigurationError(key, `${envVarName(name, key)} must be JSON.`, { cause });
  }
}

export const URL_KEYS = [
  'requestTokenUrl',
  'accessTokenUrl',
  'refreshTokenUrl',
  'authorizeUrl',
  'apiBaseUrl',
  'serverMetadataUrl',
  'revokeTokenUrl',
  'userInfoUrl',
  'pushedAuthorizationRequestUrl',
] as const;
export type UrlKey = (typeof URL_KEYS)[number];
const STRING_KEYS = ['clientId', 'clientSecret', ...URL_KEYS, 'displayName'] as const;
type StringKey = (typeof STRING_KEYS)[number];
const PARAM_KEYS = ['requestTokenParams', 'accessTokenParams', 'refreshTokenParams', 'authorizeParams'] as const;
type ParamKey = (typeof PARAM_KEYS)[number];

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((entry) => typeof entry === 'string')
  );
}

/** Reads one provider's keys: the value given to `register`, else `{NAME}_{KEY}`; an empty string is unset. */
export interface ConfigReader {
  read(key: StringKey): string | undefined;
  /** Throws `MissingConfigError` when unset; `why` completes its message (`'without serverMetadataUrl '`). */
  required(key: StringKey, why: string): string;
  /** A map of parameter names to strings, JSON in the environment; `{}` when unset. */
  params(key: ParamKey): ExtraParams;
  /** The keys set, given or from the environment. */
  present(): Set<string>;
}

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

export function createConfigReader(name: string, config: ClientConfig, env: Env): ConfigReader {
  const read = (key: StringKey): string | undefined => {
    const given: unknown = config[key];
    if (given !== undefined && typeof given !== 'string') throw new ConfigurationError(key, `${key} of "${name}" must be a string.`);
    const value = given ?? env[envVarName(name, key)];
    return value === '' ? undefined : value;
  };
  return {
    read,
    required(key, why) {
      const value = read(key);
      if (value === undefined) throw new MissingConfigError(name, key, why);
      return value;
    },
    params(key) {
      const given: unknown = config[key];
      const raw = env[envVarName(name, key)];
      const value = given ?? (raw === undefined ? {} : parseJson(name, key, raw));
      if (!isStringRecord(value)) {
        throw new ConfigurationError(key, `${key} must map parameter names to strings (${envVarName(name, key)}).`);
      }
      return Object.freeze({ ...value });
    },
    present() {
      const keys = new Set(Object.entries(config).flatMap(([key, value]) => (value === undefined ? [] : [key])));
      for (const key of [...STRING_KEYS, ...PARAM_KEYS]) if ((env[envVarName(name, key)] ?? '') !== '') keys.add(key);
      return keys;
    },
  };
}
