import { discoveryRequest, processDiscoveryResponse, type AuthorizationServer } from 'oauth4webapi';
import type { ResolvedOptions } from './options.js';
import { providerError } from './oauth/errors.js';
import type { OAuthHttp } from './oauth/http.js';

/**
 * The authorization server metadata, loaded on first need and then kept: explicit endpoints, or
 * discovery (OpenID Connect Discovery when `openid` is in scope, else RFC 8414). A failed discovery is
 * not kept, so the next call tries again. Discovery goes through `http`, the client's HTTP options.
 */
export function createServerMetadata(options: ResolvedOptions, http: OAuthHttp): () => Promise<AuthorizationServer> {
  const { endpoints, issuer } = options;
  if (endpoints) {
    const server: AuthorizationServer = Object.freeze({
      issuer: issuer ?? new URL(endpoints.token).origin,
      authorization_endpoint: endpoints.authorization,
      token_endpoint: endpoints.token,
      ...(endpoints.revocation && { revocation_endpoint: endpoints.revocation }),
      ...(endpoints.endSession && { end_session_endpoint: endpoints.endSession }),
      authorization_response_iss_parameter_supported: endpoints.issParameterSupported === true,
    });
    return () => Promise.resolve(server);
  }
  let pending: Promise<AuthorizationServer> | undefined;
  return () =>
    (pending ??= (async () => {
      // biome-ignore lint/style/noNonNullAssertion: resolveOptions refuses options with neither issuer nor endpoints; ResolvedOptions does not say so yet.
      const expected = new URL(issuer!);
      try {
        const response = await discoveryRequest(expected, {
          ...http,
          algorithm: options.openid ? 'oidc' : 'oauth2',
        });
        return await processDiscoveryResponse(expected, response);
      } catch (cause) {
        pending = undefined;
        throw providerError(cause, 'discovery_failed');
      }
    })());
}
