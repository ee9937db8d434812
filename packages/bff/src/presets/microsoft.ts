import type { ClientConfig } from '../config/client-config.js';
import { ConfigurationError } from '@latchkey/common';
import { baseUrlOption, buildPreset, joinUrl, type PresetOptions } from './define-preset.js';
import { apiJson, booleanClaim, compactUser, idTokenUser, stringField, subjectOf } from './user-info.js';

export interface MicrosoftOptions extends PresetOptions {
  /**
   * The Entra ID tenant: a tenant id (GUID), a verified domain, or `common`, `organizations` or
   * `consumers`. Default `common`.
   */
  tenant?: string;
  /** The login host, for national clouds (e.g. `https://login.microsoftonline.us`). Default `https://login.microsoftonline.com`. */
  authority?: string;
  /** Microsoft Graph, where the multi-tenant mode reads the user. Default `https://graph.microsoft.com/v1.0`. */
  graphBaseUrl?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT = /^[A-Za-z0-9.-]{1,253}$/;

/** Graph `GET /me` (https://learn.microsoft.com/en-us/graph/api/user-get). */
interface GraphUser {
  id: string;
  displayName: string | null;
  mail: string | null;
  userPrincipalName: string | null;
}

/**
 * Microsoft Entra ID, v2.0 endpoints (https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc).
 *
 * With a tenant id, OpenID Connect through the tenant's discovery document: its issuer is fixed, so
 * the id_token's issuer, audience and nonce are checked, and the user comes from its claims (`email`
 * is an optional claim; `xms_edov` says whether its domain is verified).
 *
 * With `common`, `organizations`, `consumers` or a domain name, the discovery document names the
 * issuer as a template (`https://login.microsoftonline.com/{tenantid}/v2.0`) that no fixed issuer
 * check accepts, so this mode signs in with OAuth 2 and reads the user from Microsoft Graph `/me`
 * (`sub` is then the Graph object id).
 */
export function microsoft(options: MicrosoftOptions = {}): ClientConfig {
  const { tenant = 'common', authority, graphBaseUrl, ...common } = options;
  if (!TENANT.test(tenant))
    throw new ConfigurationError('tenant', 'tenant must be a tenant id, a domain, or common, organizations or consumers.');
  const login = joinUrl(authority === undefined ? 'https://login.microsoftonline.com' : baseUrlOption('authority', authority), tenant);
  const graph = graphBaseUrl === undefined ? 'https://graph.microsoft.com/v1.0' : baseUrlOption('graphBaseUrl', graphBaseUrl);

  if (GUID.test(tenant)) {
    return buildPreset(
      {
        displayName: 'Microsoft',
        endpoints: {
          serverMetadataUrl: joinUrl(login, 'v2.0/.well-known/openid-configuration'),
          apiBaseUrl: graph,
        },
        defaultScopes: ['openid', 'profile', 'email', 'offline_access'],
        scopeDelimiter: ' ',
        tokenEndpointAuthMethod: 'client_secret_post',
        userInfo: idTokenUser((claims, user) => {
          const verified = booleanClaim(claims.xms_edov);
          return verified === undefined ? user : { ...user, email_verified: verified };
        }),
      },
      common,
    );
  }
  return buildPreset(
    {
      displayName: 'Microsoft',
      endpoints: {
        authorizeUrl: joinUrl(login, 'oauth2/v2.0/authorize'),
        accessTokenUrl: joinUrl(login, 'oauth2/v2.0/token'),
        apiBaseUrl: graph,
      },
      defaultScopes: ['User.Read', 'offline_access'],
      scopeDelimiter: ' ',
      tokenEndpointAuthMethod: 'client_secret_post',
      async userInfo(input) {
        const me = await apiJson<GraphUser>(input, 'me', { params: { $select: 'id,displayName,mail,userPrincipalName' } });
        return compactUser({
          sub: subjectOf(input, me.id),
          name: stringField(me.displayName),
          email: stringField(me.mail),
          preferred_username: stringField(me.userPrincipalName),
        });
      },
    },
    common,
  );
}
