import { ConfigurationError } from '@latchkey/common';
import type {
  BasicAuthEncoding,
  ClientConfig,
  ClientKwargs,
  ComplianceFix,
  ExtraParams,
  ScopeDelimiter,
  TokenEndpointAuthMethod,
  UserInfoMapper,
} from '../config/client-config.js';
import type { FetchToken, UpdateToken } from '../tokens/token-hooks.js';

/**
 * What every preset accepts. Keys left out are read by the registry from the environment under the
 * name the preset is registered with: `register('github', presets.github())` reads
 * `GITHUB_CLIENT_ID` and `GITHUB_CLIENT_SECRET`.
 */
export interface PresetOptions {
  /** OAuth client id (OAuth 1: consumer key). Default: `{NAME}_CLIENT_ID`. */
  clientId?: string;
  /** Client secret (OAuth 1: consumer secret). Default: `{NAME}_CLIENT_SECRET`. */
  clientSecret?: string;
  /** Scopes to request instead of the preset's defaults; the preset joins them its provider's way. */
  scopes?: readonly string[];
  /** Name on login buttons. Default: the provider's own name, e.g. `GitHub`. */
  displayName?: string;
  /** Authorization request parameters, merged over the preset's. Default: the preset's. */
  authorizeParams?: ExtraParams;
  /** Protocol settings merged over the preset's; a client authentication the provider requires stays. Default: the preset's. */
  clientKwargs?: ClientKwargs;
  /** Per-client `fetchToken`. Default: the registry's. */
  fetchToken?: FetchToken;
  /** Per-client `updateToken`. Default: the registry's. */
  updateToken?: UpdateToken;
  /** Replaces the preset's user mapping. Default: the preset's. */
  userInfo?: UserInfoMapper;
}

/** The URL keys a preset fills. */
type PresetEndpoints = Pick<
  ClientConfig,
  | 'requestTokenUrl'
  | 'authorizeUrl'
  | 'accessTokenUrl'
  | 'refreshTokenUrl'
  | 'revokeTokenUrl'
  | 'userInfoUrl'
  | 'apiBaseUrl'
  | 'serverMetadataUrl'
>;

/** One provider, as data plus small functions. */
export interface PresetDefinition {
  displayName: string;
  endpoints: PresetEndpoints;
  /** Scopes requested unless the caller names others. */
  defaultScopes: readonly string[];
  /** How the provider joins scopes in the authorization request and its token answers (`clientKwargs.scopeDelimiter`). */
  scopeDelimiter: ScopeDelimiter;
  /** The client authentication the provider takes at its token endpoint (OAuth 2). */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** The only client authentications the provider takes; a caller may not pick another. Default: any. */
  allowedAuthMethods?: readonly TokenEndpointAuthMethod[];
  /** How the provider reads HTTP Basic credentials, applied when the client uses `client_secret_basic`. Default `form`. */
  basicAuthEncoding?: BasicAuthEncoding;
  authorizeParams?: ExtraParams;
  /** Protocol settings of the provider (e.g. its OAuth 1 signature method). */
  clientKwargs?: ClientKwargs;
  complianceFix?: ComplianceFix;
  userInfo?: UserInfoMapper;
}

/** Turns a definition and the caller's options into the `ClientConfig` handed to `register`. */
export function buildPreset(definition: PresetDefinition, options: PresetOptions = {}): ClientConfig {
  const requested = options.clientKwargs?.tokenEndpointAuthMethod;
  const allowed = definition.allowedAuthMethods;
  if (allowed !== undefined && requested !== undefined && !allowed.includes(requested)) {
    // E.g. Reddit and X refuse client credentials in the body: fail at start-up, not at the first login.
    throw new ConfigurationError(
      'clientKwargs.tokenEndpointAuthMethod',
      `${definition.displayName} accepts only ${allowed.join(' or ')} at its token endpoint.`,
    );
  }
  if (options.clientKwargs?.scope !== undefined) {
    throw new ConfigurationError('clientKwargs.scope', 'Name scopes with the scopes option of a preset.');
  }
  const scopes = options.scopes ?? definition.defaultScopes;
  for (const scope of scopes) {
    if (scope === '' || /[\s,]/.test(scope)) {
      throw new ConfigurationError('scopes', 'Each entry of scopes must be one scope, without spaces or commas.');
    }
  }
  const kwargs: ClientKwargs = {
    ...definition.clientKwargs,
    ...(definition.tokenEndpointAuthMethod === undefined ? {} : { tokenEndpointAuthMethod: definition.tokenEndpointAuthMethod }),
    ...(definition.scopeDelimiter === ' ' ? {} : { scopeDelimiter: definition.scopeDelimiter }),
    ...options.clientKwargs,
  };
  if (scopes.length > 0) kwargs.scope = scopes.join(kwargs.scopeDelimiter ?? ' ');
  if (
    definition.basicAuthEncoding !== undefined &&
    kwargs.tokenEndpointAuthMethod === 'client_secret_basic' &&
    kwargs.basicAuthEncoding === undefined
  ) {
    kwargs.basicAuthEncoding = definition.basicAuthEncoding;
  }

  const config: ClientConfig = {
    ...definition.endpoints,
    displayName: options.displayName ?? definition.displayName,
    clientKwargs: kwargs,
    complianceFix: { ...definition.complianceFix },
  };
  const authorizeParams = { ...definition.authorizeParams, ...options.authorizeParams };
  if (Object.keys(authorizeParams).length > 0) config.authorizeParams = authorizeParams;
  if (options.clientId !== undefined) config.clientId = options.clientId;
  if (options.clientSecret !== undefined) config.clientSecret = options.clientSecret;
  if (options.fetchToken !== undefined) config.fetchToken = options.fetchToken;
  if (options.updateToken !== undefined) config.updateToken = options.updateToken;
  const userInfo = options.userInfo ?? definition.userInfo;
  if (userInfo !== undefined) config.userInfo = userInfo;
  return config;
}

/** Joins a base URL and a path without `new URL(path, base)` surprises: one slash between them. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Checks a base URL option of a preset (a self-hosted server, a tenant's domain) up front. */
export function baseUrlOption(option: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigurationError(option, `${option} must be an absolute URL.`, { cause });
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigurationError(option, `${option} must not carry a query, fragment or credentials.`);
  }
  return url.href.replace(/\/+$/, '');
}
