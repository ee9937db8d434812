import type { ProviderRuntime } from '../runtime.js';
import { endpointUrl } from '../runtime.js';
import { DPOP_SIGNING_ALGS } from '../keys/dpop-signing-algs.js';
import { SUPPORTED_CLAIMS } from './claims.js';

/** Paths of the endpoints, relative to the issuer. */
export const ENDPOINT_PATHS = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  pushedAuthorizationRequest: '/oauth/par',
  revocation: '/oauth/revoke',
  introspection: '/oauth/introspect',
  userinfo: '/userinfo',
  jwks: '/jwks',
  endSession: '/oauth/logout',
  openidConfiguration: '/.well-known/openid-configuration',
  authorizationServerMetadata: '/.well-known/oauth-authorization-server',
  me: '/api/me',
  echo: '/api/echo',
  registrationPage: '/clients/new',
  registrationApi: '/clients',
} as const;

/** Authorization server metadata (RFC 8414 section 2, OpenID Connect Discovery section 3). */
export function serverMetadata(runtime: ProviderRuntime): Record<string, unknown> {
  const { features } = runtime;
  const url = (path: string) => endpointUrl(runtime, path);
  const authMethods = ['client_secret_basic', 'client_secret_post', 'none'];
  const grantTypes = ['authorization_code', 'refresh_token', 'client_credentials'];
  if (features.passwordGrant) grantTypes.push('password');
  if (features.implicitGrant) grantTypes.push('implicit');
  return {
    issuer: runtime.context.issuer,
    authorization_endpoint: url(ENDPOINT_PATHS.authorization),
    token_endpoint: url(ENDPOINT_PATHS.token),
    userinfo_endpoint: url(ENDPOINT_PATHS.userinfo),
    jwks_uri: url(ENDPOINT_PATHS.jwks),
    revocation_endpoint: url(ENDPOINT_PATHS.revocation),
    introspection_endpoint: url(ENDPOINT_PATHS.introspection),
    end_session_endpoint: url(ENDPOINT_PATHS.endSession),
    // RFC 9126 section 5; the requirement is advertised only when it holds for every client.
    pushed_authorization_request_endpoint: url(ENDPOINT_PATHS.pushedAuthorizationRequest),
    ...(runtime.requirePushedAuthorizationRequests ? { require_pushed_authorization_requests: true } : {}),
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    response_types_supported: features.implicitGrant ? ['code', 'token'] : ['code'],
    response_modes_supported: features.implicitGrant ? ['query', 'fragment'] : ['query'],
    grant_types_supported: grantTypes,
    token_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_methods_supported: authMethods,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: features.plainPkce ? ['S256', 'plain'] : ['S256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    // RFC 9449 section 5.1.
    dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGS],
    claims_supported: [...SUPPORTED_CLAIMS, 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'sid'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    authorization_response_iss_parameter_supported: true,
    prompt_values_supported: ['none', 'login', 'consent'],
    // Back-Channel Logout 1.0 section 2.1: logout tokens, always with `sid`, to clients that register a URI.
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  };
}
