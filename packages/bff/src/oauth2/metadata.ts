import * as oauth from 'oauth4webapi';
import { ConfigurationError } from '@latchkey/common';
import type { ResolvedOAuth2Config } from '../config/resolved-config.js';

const OIDC_SUFFIX = '/.well-known/openid-configuration';
const RFC8414_SEGMENT = '/.well-known/oauth-authorization-server';

/**
 * Splits a metadata URL into the issuer and the discovery algorithm oauth4webapi rebuilds it with:
 * OIDC Discovery appends the well-known path to the issuer (section 4), RFC 8414 inserts it before
 * the issuer's path (section 3.1). Throws `ConfigurationError` for any other shape.
 */
function issuerFromMetadataUrl(metadataUrl: string): { issuer: URL; algorithm: 'oidc' | 'oauth2' } {
  const url = new URL(metadataUrl);
  if (url.search !== '') {
    throw new ConfigurationError('serverMetadataUrl', 'serverMetadataUrl must not carry a query.');
  }
  if (url.pathname.endsWith(OIDC_SUFFIX)) {
    const issuer = new URL(url.href);
    issuer.pathname = url.pathname.slice(0, -OIDC_SUFFIX.length) || '/';
    return { issuer, algorithm: 'oidc' };
  }
  if (url.pathname.startsWith(RFC8414_SEGMENT)) {
    const issuer = new URL(url.href);
    issuer.pathname = url.pathname.slice(RFC8414_SEGMENT.length) || '/';
    return { issuer, algorithm: 'oauth2' };
  }
  throw new ConfigurationError('serverMetadataUrl', `serverMetadataUrl must end in ${OIDC_SUFFIX} or contain ${RFC8414_SEGMENT}.`);
}

/** Endpoints configured by hand: the issuer is only a label then (no id_token is expected). */
function staticMetadata(config: Extract<ResolvedOAuth2Config, { serverMetadataUrl: undefined }>): oauth.AuthorizationServer {
  const tokenUrl = config.accessTokenUrl;
  return {
    issuer: new URL(tokenUrl).origin,
    authorization_endpoint: config.authorizeUrl,
    token_endpoint: tokenUrl,
    ...(config.revokeTokenUrl === undefined ? {} : { revocation_endpoint: config.revokeTokenUrl }),
    ...(config.userInfoUrl === undefined ? {} : { userinfo_endpoint: config.userInfoUrl }),
    ...(config.pushedAuthorizationRequestUrl === undefined
      ? {}
      : { pushed_authorization_request_endpoint: config.pushedAuthorizationRequestUrl }),
  };
}

/** Explicit keys win over discovered endpoints (Authlib's order). */
function overlay(config: ResolvedOAuth2Config, discovered: oauth.AuthorizationServer): oauth.AuthorizationServer {
  return {
    ...discovered,
    ...(config.authorizeUrl === undefined ? {} : { authorization_endpoint: config.authorizeUrl }),
    ...(config.accessTokenUrl === undefined ? {} : { token_endpoint: config.accessTokenUrl }),
    ...(config.revokeTokenUrl === undefined ? {} : { revocation_endpoint: config.revokeTokenUrl }),
    ...(config.userInfoUrl === undefined ? {} : { userinfo_endpoint: config.userInfoUrl }),
    ...(config.pushedAuthorizationRequestUrl === undefined
      ? {}
      : { pushed_authorization_request_endpoint: config.pushedAuthorizationRequestUrl }),
  };
}

export interface MetadataSource {
  /** The provider's metadata; discovery runs on first use and is retried after a failure. */
  get(): Promise<oauth.AuthorizationServer>;
}

export function createMetadataSource(
  config: ResolvedOAuth2Config,
  requestOptions: () => Pick<oauth.HttpRequestOptions<'GET'>, 'signal' | typeof oauth.allowInsecureRequests>,
): MetadataSource {
  if (config.serverMetadataUrl === undefined) {
    const metadata = Object.freeze(staticMetadata(config));
    return { get: async () => metadata };
  }
  const { issuer, algorithm } = issuerFromMetadataUrl(config.serverMetadataUrl);
  let pending: Promise<oauth.AuthorizationServer> | undefined;
  return {
    get() {
      pending ??= (async () => {
        const response = await oauth.discoveryRequest(issuer, { ...requestOptions(), algorithm });
        return Object.freeze(overlay(config, await oauth.processDiscoveryResponse(issuer, response)));
      })().catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
      return pending;
    },
  };
}
