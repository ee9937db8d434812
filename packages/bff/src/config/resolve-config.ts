import type { ExtraSignatureMethods } from '@latchkey/oauth1';
import { ConfigurationError } from '@latchkey/common';
import { checkConfigKeys } from './check-keys.js';
import { checkBasicAuth, checkProviderName, checkUrl } from './check-values.js';
import type { ClientConfig } from './client-config.js';
import { createConfigReader, envVarName, MissingConfigError, URL_KEYS, type ConfigReader, type Env, type UrlKey } from './env.js';
import { isPrivateKey, resolveOAuth1Kwargs, resolveOAuth2Kwargs } from './resolve-kwargs.js';
import type {
  ResolvedClientAuth,
  ResolvedClientConfig,
  ResolvedOAuth1Config,
  ResolvedOAuth2Config,
  ResolvedOAuth2Kwargs,
} from './resolved-config.js';

// The package index names these from here.
export { MissingConfigError } from './env.js';
export type { ResolvedClientConfig } from './resolved-config.js';

export interface ResolveOptions {
  /** Where unset keys are read from. Default `process.env`. */
  env?: Env;
  /** Registry-wide switch for `http:` provider URLs. Default false. */
  dangerouslyAllowInsecureHttp?: boolean;
  /** OAuth 1 signature methods beside the built-in ones, by name. Default none. */
  extraSignatureMethods?: ExtraSignatureMethods;
}

/** What both protocols' resolvers share. */
interface Resolving {
  name: string;
  config: ClientConfig;
  read: ConfigReader;
  env: Env;
  /** The registry-wide `http:` switch. */
  insecure: boolean;
  extraSignatureMethods: ExtraSignatureMethods;
}

/**
 * Reads every key not given from `{NAME}_{KEY}`, checks required keys and URLs, and freezes the result.
 * Throws `ConfigurationError` naming the key and its environment variable.
 */
export function resolveClientConfig(name: string, config: ClientConfig, options: ResolveOptions = {}): ResolvedClientConfig {
  checkProviderName(name);
  const env = options.env ?? process.env;
  const read = createConfigReader(name, config, env);
  const requestTokenUrl = read.read('requestTokenUrl');
  // Every key set, given or from the environment, must be one this protocol uses.
  checkConfigKeys(name, config, requestTokenUrl === undefined ? 'oauth2' : 'oauth1', read.present());
  const resolving: Resolving = {
    name,
    config,
    read,
    env,
    insecure: options.dangerouslyAllowInsecureHttp === true,
    extraSignatureMethods: options.extraSignatureMethods ?? {},
  };
  return Object.freeze(requestTokenUrl === undefined ? resolveOAuth2(resolving) : resolveOAuth1(resolving, requestTokenUrl));
}

/** `private_key_jwt` keys are objects: they cannot come from the environment's JSON. */
function clientAuthOf(name: string, kwargs: ResolvedOAuth2Kwargs, clientSecret: string | undefined): ResolvedClientAuth {
  const method = kwargs.tokenEndpointAuthMethod;
  switch (method) {
    case 'client_secret_basic':
    case 'client_secret_post': {
      // A confidential client without its secret is a mistake, never a quiet switch to a public client.
      const secret = kwargs.emptyClientSecret ? '' : clientSecret;
      if (secret === undefined) {
        throw new MissingConfigError(
          name,
          'clientSecret',
          `with ${method}; a public client says clientKwargs.tokenEndpointAuthMethod "none" `,
        );
      }
      return method === 'client_secret_basic'
        ? { method, clientSecret: secret, encoding: kwargs.basicAuthEncoding }
        : { method, clientSecret: secret };
    }
    case 'private_key_jwt':
      if (!isPrivateKey(kwargs.clientPrivateKey)) {
        throw new ConfigurationError(
          'clientKwargs.clientPrivateKey',
          `private_key_jwt needs clientKwargs.clientPrivateKey ({ key: a private CryptoKey, kid? }) for "${name}"; it cannot come from ${envVarName(name, 'clientKwargs')}.`,
        );
      }
      return { method, clientPrivateKey: kwargs.clientPrivateKey };
    case 'none':
      return { method };
  }
}

/** Without `serverMetadataUrl` both endpoints are required; with it, discovery fills what is left out. */
function oauth2Endpoints(read: ConfigReader) {
  const serverMetadataUrl = read.read('serverMetadataUrl');
  if (serverMetadataUrl === undefined) {
    const why = 'without serverMetadataUrl ';
    return { serverMetadataUrl, authorizeUrl: read.required('authorizeUrl', why), accessTokenUrl: read.required('accessTokenUrl', why) };
  }
  return { serverMetadataUrl, authorizeUrl: read.read('authorizeUrl'), accessTokenUrl: read.read('accessTokenUrl') };
}

function resolveOAuth2({ name, config, read, env, insecure }: Resolving): ResolvedOAuth2Config {
  const clientId = read.required('clientId', '');
  const clientSecret = read.read('clientSecret');
  const kwargs = resolveOAuth2Kwargs(name, config.clientKwargs, env);
  const endpoints = oauth2Endpoints(read);
  checkBasicAuth(name, clientId, clientSecret, kwargs);
  const clientAuth = clientAuthOf(name, kwargs, clientSecret);
  const resolved: ResolvedOAuth2Config = {
    name,
    displayName: read.read('displayName') ?? name,
    protocol: 'oauth2',
    clientId,
    clientSecret: kwargs.emptyClientSecret ? '' : clientSecret,
    clientAuth,
    ...endpoints,
    accessTokenParams: read.params('accessTokenParams'),
    refreshTokenUrl: read.read('refreshTokenUrl'),
    refreshTokenParams: read.params('refreshTokenParams'),
    authorizeParams: read.params('authorizeParams'),
    apiBaseUrl: read.read('apiBaseUrl'),
    revokeTokenUrl: read.read('revokeTokenUrl'),
    userInfoUrl: read.read('userInfoUrl'),
    pushedAuthorizationRequestUrl: read.read('pushedAuthorizationRequestUrl'),
    clientKwargs: kwargs,
    fetchToken: config.fetchToken,
    updateToken: config.updateToken,
    complianceFix: Object.freeze({ ...config.complianceFix }),
    userInfo: config.userInfo,
  };
  checkUrls(name, resolved, kwargs.dangerouslyAllowInsecureHttp || insecure);
  // Without discovery the endpoint can only come from here: insisting on pushing without one is a mistake now, not at the first login.
  if (
    kwargs.pushedAuthorizationRequests === true &&
    resolved.serverMetadataUrl === undefined &&
    resolved.pushedAuthorizationRequestUrl === undefined
  ) {
    throw new MissingConfigError(
      name,
      'pushedAuthorizationRequestUrl',
      'with clientKwargs.pushedAuthorizationRequests and no serverMetadataUrl ',
    );
  }
  return resolved;
}

function resolveOAuth1(
  { name, config, read, env, insecure, extraSignatureMethods }: Resolving,
  requestTokenUrl: string,
): ResolvedOAuth1Config {
  const clientId = read.required('clientId', '');
  const clientSecret = read.read('clientSecret');
  const kwargs = resolveOAuth1Kwargs(name, config.clientKwargs, env, extraSignatureMethods);
  const authorizeUrl = read.required('authorizeUrl', '');
  const accessTokenUrl = read.required('accessTokenUrl', '');
  if (kwargs.signatureMethod === 'RSA-SHA1') {
    if (kwargs.rsaKey === undefined) {
      throw new ConfigurationError(
        'clientKwargs.rsaKey',
        `RSA-SHA1 needs clientKwargs.rsaKey for "${name}" (or ${envVarName(name, 'clientKwargs')}).`,
      );
    }
  } else if (clientSecret === undefined) {
    throw new MissingConfigError(name, 'clientSecret', `with ${kwargs.signatureMethod} `);
  }
  if ((config.saveRequestToken === undefined) !== (config.fetchRequestToken === undefined)) {
    throw new ConfigurationError('fetchRequestToken', 'saveRequestToken and fetchRequestToken go together.');
  }
  const resolved: ResolvedOAuth1Config = {
    name,
    displayName: read.read('displayName') ?? name,
    protocol: 'oauth1',
    clientId,
    clientSecret,
    requestTokenUrl,
    requestTokenParams: read.params('requestTokenParams'),
    accessTokenUrl,
    accessTokenParams: read.params('accessTokenParams'),
    authorizeUrl,
    authorizeParams: read.params('authorizeParams'),
    apiBaseUrl: read.read('apiBaseUrl'),
    clientKwargs: kwargs,
    fetchToken: config.fetchToken,
    saveRequestToken: config.saveRequestToken,
    fetchRequestToken: config.fetchRequestToken,
    complianceFix: Object.freeze({ ...config.complianceFix }),
    userInfo: config.userInfo,
  };
  checkUrls(name, resolved, kwargs.dangerouslyAllowInsecureHttp || insecure);
  return resolved;
}

/** Checks every URL the configuration holds, in one order whatever the protocol. */
function checkUrls(name: string, resolved: ResolvedClientConfig, insecure: boolean): void {
  const urls: Partial<Record<UrlKey, string | undefined>> = resolved;
  for (const key of URL_KEYS) checkUrl(name, key, urls[key], insecure);
}
