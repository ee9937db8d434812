import { ConfigurationError } from '@latchkey/common';
import type { ClientConfig } from '../config/client-config.js';
import { baseUrlOption, buildPreset, joinUrl, type PresetDefinition, type PresetOptions } from './define-preset.js';

export interface OidcOptions extends PresetOptions {
  /**
   * The issuer (e.g. `https://id.example.com/realms/main`); its discovery document fills every
   * endpoint. Default: `{NAME}_SERVER_METADATA_URL` from the environment.
   */
  issuer?: string;
}

/** Discovery URL of an issuer (OpenID Connect Discovery 1.0 section 4). */
function metadataUrl(issuer: string): string {
  return joinUrl(baseUrlOption('issuer', issuer), '.well-known/openid-configuration');
}

function oidcPreset(
  displayName: string,
  issuer: string | undefined,
  common: PresetOptions,
  extra: Partial<PresetDefinition> = {},
): ClientConfig {
  return buildPreset(
    {
      displayName,
      endpoints: issuer === undefined ? {} : { serverMetadataUrl: metadataUrl(issuer) },
      defaultScopes: ['openid', 'profile', 'email'],
      scopeDelimiter: ' ',
      tokenEndpointAuthMethod: 'client_secret_basic',
      // No mapping: the registry reads the userinfo endpoint, subject-checked against the id_token.
      ...extra,
    },
    common,
  );
}

/**
 * Any OpenID Connect provider, from its issuer: endpoints, JWKS and userinfo come from discovery,
 * and the user from the userinfo endpoint's standard claims.
 */
export function oidc(options: OidcOptions = {}): ClientConfig {
  const { issuer, ...common } = options;
  return oidcPreset('OpenID Connect', issuer, common);
}

export interface Auth0Options extends PresetOptions {
  /** The tenant's domain, e.g. `example.eu.auth0.com` or a custom domain. One of `domain` or `issuer`. */
  domain?: string;
  /** The issuer URL instead of a domain. */
  issuer?: string;
  /** API identifier for access tokens meant for your own API (Auth0's `audience` parameter). Default none. */
  audience?: string;
}

function domainIssuer(option: string, domain: string, path = ''): string {
  if (!/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/.test(domain)) {
    throw new ConfigurationError(option, `${option} must be a host name such as example.auth0.com (no scheme or path).`);
  }
  return `https://${domain}${path}`;
}

/** Auth0 (https://auth0.com/docs/authenticate/protocols/openid-connect-protocol). Its issuer ends with `/`. */
export function auth0(options: Auth0Options = {}): ClientConfig {
  const { domain, issuer, audience, ...common } = options;
  if (domain !== undefined && issuer !== undefined) throw new ConfigurationError('domain', 'Give domain or issuer, not both.');
  const resolved = issuer ?? (domain === undefined ? undefined : domainIssuer('domain', domain, '/'));
  return oidcPreset('Auth0', resolved, common, audience === undefined ? {} : { authorizeParams: { audience } });
}

export interface OktaOptions extends PresetOptions {
  /** The Okta org's domain, e.g. `dev-123456.okta.com`. One of `domain` or `issuer`. */
  domain?: string;
  /** Custom authorization server id under the domain; `null` for the org server. Default `default`. */
  authorizationServerId?: string | null;
  /** The issuer URL instead of a domain. */
  issuer?: string;
}

/** Okta (https://developer.okta.com/docs/concepts/auth-servers/). Add `offline_access` to the scopes for refresh tokens. */
export function okta(options: OktaOptions = {}): ClientConfig {
  const { domain, authorizationServerId = 'default', issuer, ...common } = options;
  if (domain !== undefined && issuer !== undefined) throw new ConfigurationError('domain', 'Give domain or issuer, not both.');
  if (authorizationServerId !== null && !/^[A-Za-z0-9_-]{1,64}$/.test(authorizationServerId)) {
    throw new ConfigurationError('authorizationServerId', 'authorizationServerId is an id such as default.');
  }
  const path = authorizationServerId === null ? '' : `/oauth2/${authorizationServerId}`;
  const resolved = issuer ?? (domain === undefined ? undefined : domainIssuer('domain', domain, path));
  return oidcPreset('Okta', resolved, common);
}

export interface KeycloakOptions extends PresetOptions {
  /** The Keycloak server, e.g. `https://sso.example.com` (with `/auth` on versions before 17). One of `baseUrl` + `realm`, or `issuer`. */
  baseUrl?: string;
  /** The realm. Required with `baseUrl`. */
  realm?: string;
  /** The issuer URL (`{baseUrl}/realms/{realm}`) instead of `baseUrl` and `realm`. */
  issuer?: string;
}

/** Keycloak (https://www.keycloak.org/securing-apps/oidc-layers). */
export function keycloak(options: KeycloakOptions = {}): ClientConfig {
  const { baseUrl, realm, issuer, ...common } = options;
  if (issuer !== undefined && (baseUrl !== undefined || realm !== undefined)) {
    throw new ConfigurationError('issuer', 'Give issuer, or baseUrl and realm, not both.');
  }
  if ((baseUrl === undefined) !== (realm === undefined)) {
    throw new ConfigurationError(baseUrl === undefined ? 'baseUrl' : 'realm', 'baseUrl and realm go together.');
  }
  const resolved =
    issuer ??
    (baseUrl === undefined || realm === undefined
      ? undefined
      : joinUrl(baseUrlOption('baseUrl', baseUrl), `realms/${encodeURIComponent(realm)}`));
  return oidcPreset('Keycloak', resolved, common);
}
