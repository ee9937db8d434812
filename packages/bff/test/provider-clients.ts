import { userFromClaims, type ClientConfig, type OAuthRegistry } from '@latchkey/bff';
import type { ClientInput } from '@latchkey/provider';
import type { TestProvider } from '../../../test-support/provider.js';

/** A client registered at the test provider, with the secret the provider made for it. */
export interface ProviderClient {
  clientId: string;
  clientSecret: string;
}

export interface RegisterClientOptions {
  /** The client id at the provider; default `bff-<name>`. */
  clientId?: string;
  /** Added to, or replacing, the registry entry (scope, token placement, hooks, ...). */
  config?: Partial<ClientConfig>;
}

/** The client at the provider, then the same client in the BFF's registry under `name`. */
async function registerAtBoth(
  provider: TestProvider,
  registry: OAuthRegistry,
  name: string,
  options: RegisterClientOptions,
  atProvider: Omit<ClientInput, 'clientId'>,
  config: ClientConfig,
): Promise<ProviderClient> {
  const client = await provider.provider.registerClient({ clientId: options.clientId ?? `bff-${name}`, ...atProvider });
  const registered = { clientId: client.clientId, clientSecret: client.clientSecret as string };
  registry.register(name, { ...registered, ...config, ...options.config });
  return registered;
}

/**
 * Registers an OAuth 2 client at the test provider, redirecting to the BFF's callback for `name`, and the
 * same client in the BFF's registry: endpoints from the provider's discovery document, the API at `/api/`.
 */
export function registerOAuth2Client(
  provider: TestProvider,
  registry: OAuthRegistry,
  bffUrl: string,
  name: string,
  options: RegisterClientOptions = {},
) {
  return registerAtBoth(
    provider,
    registry,
    name,
    options,
    // The BFF's end-session return too (RP-Initiated Logout), so any such client can end the provider's session.
    { redirectUris: [`${bffUrl}/bff/callback/${name}`], postLogoutRedirectUris: [`${bffUrl}/bff/logged-out/${name}`] },
    {
      serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
      apiBaseUrl: `${provider.url}/api/`,
    },
  );
}

/**
 * The same for an OAuth 1.0a consumer (RFC 5849) at the provider's `/oauth1/` endpoints. The user comes
 * from the provider's `/api/me` unless `config.userInfo` says otherwise.
 */
export function registerOAuth1Client(
  provider: TestProvider,
  registry: OAuthRegistry,
  bffUrl: string,
  name: string,
  options: RegisterClientOptions = {},
) {
  return registerAtBoth(
    provider,
    registry,
    name,
    options,
    { oauth1: { callbackUris: [`${bffUrl}/bff/callback/${name}`] } },
    {
      requestTokenUrl: `${provider.url}/oauth1/initiate`,
      authorizeUrl: `${provider.url}/oauth1/authorize`,
      accessTokenUrl: `${provider.url}/oauth1/token`,
      apiBaseUrl: `${provider.url}/api/`,
      userInfo: async ({ client }) => userFromClaims(await (await client.get('me')).json()),
    },
  );
}

/** A form POST to one of the provider's endpoints, the client authenticated with HTTP Basic. */
function postAsClient(provider: TestProvider, client: ProviderClient, path: string, form: Record<string, string>): Promise<Response> {
  return fetch(`${provider.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(form),
  });
}

/** Revokes an access token at the provider (RFC 7009), as the client it was issued to. */
export function revokeAccessToken(provider: TestProvider, client: ProviderClient, token: string): Promise<Response> {
  return postAsClient(provider, client, '/oauth/revoke', { token, token_type_hint: 'access_token' });
}

/** Asks the provider whether a token is still active (RFC 7662), as the client it was issued to. */
export async function introspect(provider: TestProvider, client: ProviderClient, token: string): Promise<{ active: boolean }> {
  return (await (await postAsClient(provider, client, '/oauth/introspect', { token })).json()) as { active: boolean };
}

/** What introspection tells of a token, DPoP binding included (RFC 7662, RFC 9449 section 6.2). */
export interface BindingIntrospection {
  active: boolean;
  token_type?: string;
  cnf?: { jkt?: string };
}

/** Registers a resource server at the provider (it may introspect every client's tokens) and introspects as it. */
export async function resourceServerIntrospector(provider: TestProvider): Promise<(token: string) => Promise<BindingIntrospection>> {
  const registered = await provider.provider.registerClient({ clientId: 'rs', resourceServer: true, redirectUris: [] });
  const client = { clientId: registered.clientId, clientSecret: registered.clientSecret as string };
  return async (token) => (await (await postAsClient(provider, client, '/oauth/introspect', { token })).json()) as BindingIntrospection;
}
