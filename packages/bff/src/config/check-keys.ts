import { ConfigurationError } from '@latchkey/common';
import type { ClientConfig, ClientConfigKey, ClientKwargsKey, ComplianceFix } from './client-config.js';

/**
 * Which keys `register()` knows, and for which protocol. Typed as records of the types' keys, so a key
 * added to `ClientConfig` or `ClientKwargs` must be listed here too: an unknown key is refused, since
 * a misspelt one would otherwise leave its default in place without a word.
 */
type Applies = 'both' | 'oauth2' | 'oauth1';

const CONFIG_KEYS: Readonly<Record<ClientConfigKey, Applies>> = {
  clientId: 'both',
  clientSecret: 'both',
  requestTokenUrl: 'oauth1',
  requestTokenParams: 'oauth1',
  accessTokenUrl: 'both',
  accessTokenParams: 'both',
  refreshTokenUrl: 'oauth2',
  refreshTokenParams: 'oauth2',
  authorizeUrl: 'both',
  authorizeParams: 'both',
  apiBaseUrl: 'both',
  serverMetadataUrl: 'oauth2',
  revokeTokenUrl: 'oauth2',
  pushedAuthorizationRequestUrl: 'oauth2',
  userInfoUrl: 'oauth2',
  clientKwargs: 'both',
  displayName: 'both',
  fetchToken: 'both',
  updateToken: 'oauth2',
  saveRequestToken: 'oauth1',
  fetchRequestToken: 'oauth1',
  complianceFix: 'both',
  userInfo: 'both',
};

const KWARGS_KEYS: Readonly<Record<ClientKwargsKey, Applies>> = {
  scope: 'oauth2',
  scopeDelimiter: 'oauth2',
  tokenEndpointAuthMethod: 'oauth2',
  basicAuthEncoding: 'oauth2',
  emptyClientSecret: 'oauth2',
  tokenPlacement: 'oauth2',
  codeChallengeMethod: 'oauth2',
  dangerouslyDisablePkce: 'oauth2',
  signatureMethod: 'oauth1',
  signatureType: 'oauth1',
  rsaKey: 'oauth1',
  clientPrivateKey: 'oauth2',
  pushedAuthorizationRequests: 'oauth2',
  dpop: 'oauth2',
  dangerouslyAllowInsecureHttp: 'both',
  timeoutMs: 'both',
};

const FUNCTION_KEYS = ['fetchToken', 'updateToken', 'saveRequestToken', 'fetchRequestToken', 'userInfo'] as const;
const COMPLIANCE_FIX_KEYS: readonly (keyof ComplianceFix)[] = ['accessTokenResponse', 'refreshTokenResponse', 'protectedRequest'];

const isKeyOf = <K extends string>(table: Readonly<Record<K, Applies>>, key: string): key is K => Object.hasOwn(table, key);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const protocolName = (protocol: 'oauth2' | 'oauth1') => (protocol === 'oauth2' ? 'OAuth 2' : 'OAuth 1.0a');

/**
 * Refuses a key `register()` does not know, a key of the other protocol, and a hook or `complianceFix`
 * that is not a function. `present` lists the keys set, given or from the environment.
 */
export function checkConfigKeys(name: string, config: ClientConfig, protocol: 'oauth2' | 'oauth1', present: ReadonlySet<string>): void {
  for (const key of Object.keys(config)) {
    if (!isKeyOf(CONFIG_KEYS, key)) {
      throw new ConfigurationError(key, `"${key}" is not a register() key (provider "${name}").`);
    }
  }
  for (const key of present) {
    // Every key here was given (and checked above) or read from the environment under a known name.
    const applies = isKeyOf(CONFIG_KEYS, key) ? CONFIG_KEYS[key] : 'both';
    if (applies !== 'both' && applies !== protocol) {
      throw new ConfigurationError(key, `${key} applies to ${protocolName(applies)} only; "${name}" is ${protocolName(protocol)}.`);
    }
  }
  for (const key of FUNCTION_KEYS) {
    if (config[key] !== undefined && typeof config[key] !== 'function') {
      throw new ConfigurationError(key, `${key} of "${name}" must be a function.`);
    }
  }
  const fix: unknown = config.complianceFix;
  if (fix === undefined) return;
  if (!isPlainObject(fix)) throw new ConfigurationError('complianceFix', `complianceFix of "${name}" must be an object of hooks.`);
  for (const [key, hook] of Object.entries(fix)) {
    if (!COMPLIANCE_FIX_KEYS.some((known) => known === key)) {
      throw new ConfigurationError(`complianceFix.${key}`, `"${key}" is not a complianceFix hook (${COMPLIANCE_FIX_KEYS.join(', ')}).`);
    }
    if (hook !== undefined && typeof hook !== 'function') {
      throw new ConfigurationError(`complianceFix.${key}`, `complianceFix.${key} of "${name}" must be a function.`);
    }
  }
}

/** Refuses an unknown `clientKwargs` key, or one of the other protocol; `source` says where they came from. */
export function checkKwargsKeys(name: string, kwargs: Record<string, unknown>, protocol: 'oauth2' | 'oauth1', source: string): void {
  for (const [key, value] of Object.entries(kwargs)) {
    if (!isKeyOf(KWARGS_KEYS, key)) {
      throw new ConfigurationError(`clientKwargs.${key}`, `"${key}" is not a clientKwargs key (${source}).`);
    }
    const applies = KWARGS_KEYS[key];
    if (value !== undefined && applies !== 'both' && applies !== protocol) {
      throw new ConfigurationError(
        `clientKwargs.${key}`,
        `clientKwargs.${key} applies to ${protocolName(applies)} only; "${name}" is ${protocolName(protocol)} (${source}).`,
      );
    }
  }
}
