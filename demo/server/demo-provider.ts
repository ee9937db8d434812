import { randomBytes } from 'node:crypto';
import { createProvider, demoClients, DEMO_CLIENT_IDS, type ClientInput, type Provider } from '@latchkey/provider';
import { bffRouteUri, EMBEDDED } from './embedded-names.js';

/** The demo's known user; demo mode lets any other username in too. */
export const DEMO_USER = {
  sub: 'u-alice',
  username: 'alice',
  password: 'wonderland',
  name: 'Alice Liddell',
  email: 'alice@example.test',
  email_verified: true,
} as const;

export interface DemoProviderOptions {
  /** The provider's own URL. */
  issuer: string;
  /** Origin of the SPA and the BFF (one origin). */
  appOrigin: string;
  /** Access token lifetime in seconds; short, so the SPA's countdown and refresh can be seen. */
  accessTokenLifetime: number;
}

export interface DemoProvider {
  provider: Provider;
  /** The confidential OAuth 2 client of the BFF. */
  bffClient: ClientInput & { clientSecret: string };
  /** The BFF's confidential OAuth 2 client whose tokens are all DPoP-bound. */
  bffDpopClient: ClientInput & { clientSecret: string };
  /** The OAuth 1.0a consumer of the BFF. */
  oauth1Client: ClientInput & { clientSecret: string };
  /** The public (PKCE) client of the SPA. */
  spaClientId: string;
  /** The public clients of the React and Vue example apps, each with its own storage. */
  bindingClientIds: Record<BindingApp, string>;
}

/** The small apps under demo/bindings/, one per framework binding. */
export const BINDING_APPS = ['react', 'vue'] as const;
export type BindingApp = (typeof BINDING_APPS)[number];

/** Where a binding app is served; its redirect URI is `<path>callback`. */
export const bindingPath = (app: BindingApp) => `/bindings/${app}/`;

function withSecret(client: ClientInput | undefined): ClientInput & { clientSecret: string } {
  if (!client?.clientSecret) throw new Error("The provider's demo clients changed: a BFF client has no secret.");
  return { ...client, clientSecret: client.clientSecret };
}

/**
 * The BFF's OAuth 2 client, told when a login session it took part in ends (OpenID Connect Back-Channel
 * Logout 1.0), so that "Log out everywhere" in the browser also ends the BFF session.
 */
function withBackchannelLogout(client: ClientInput, appOrigin: string): ClientInput {
  if (client.clientId !== DEMO_CLIENT_IDS.bff) return client;
  return {
    ...client,
    backchannelLogoutUri: bffRouteUri(appOrigin, 'backchannel-logout', EMBEDDED.oauth2),
    backchannelLogoutSessionRequired: true,
  };
}

/**
 * A second confidential client for the BFF, which must prove a DPoP key at every token request (RFC 9449
 * section 5.2), so none of its tokens is a bearer token. A client of its own rather than one more redirect
 * URI of the first: the provider sends one logout token per client, to the one BFF route of that name.
 */
function bffDpopClient(appOrigin: string): ClientInput & { clientSecret: string } {
  return {
    clientId: 'latchkey-demo-bff-dpop',
    clientSecret: randomBytes(24).toString('base64url'),
    name: 'Latchkey demo (BFF, DPoP)',
    tokenEndpointAuthMethod: 'client_secret_basic',
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: [bffRouteUri(appOrigin, 'callback', EMBEDDED.oauth2Dpop)],
    dpopBoundAccessTokens: true,
    backchannelLogoutUri: bffRouteUri(appOrigin, 'backchannel-logout', EMBEDDED.oauth2Dpop),
    backchannelLogoutSessionRequired: true,
  };
}

/** The embedded provider with the demo clients (their secrets are random per start). */
export async function createDemoProvider(options: DemoProviderOptions): Promise<DemoProvider> {
  const bindingClients = BINDING_APPS.map((app) => ({
    clientId: `latchkey-demo-${app}`,
    name: `Latchkey demo (${app === 'react' ? 'React' : 'Vue'})`,
    tokenEndpointAuthMethod: 'none' as const,
    redirectUris: [`${options.appOrigin}${bindingPath(app)}callback`],
  }));
  const dpopClient = bffDpopClient(options.appOrigin);
  const clients = [
    ...demoClients({ spaOrigin: options.appOrigin }).map((client) => withBackchannelLogout(client, options.appOrigin)),
    dpopClient,
    ...bindingClients,
  ];
  const provider = await createProvider({
    issuer: options.issuer,
    clients,
    users: [{ ...DEMO_USER }],
    dangerouslyAllowAnyUser: true,
    lifetimes: { accessToken: options.accessTokenLifetime },
  });
  return {
    provider,
    bffClient: withSecret(clients.find((client) => client.clientId === DEMO_CLIENT_IDS.bff)),
    bffDpopClient: dpopClient,
    oauth1Client: withSecret(clients.find((client) => client.clientId === DEMO_CLIENT_IDS.oauth1)),
    spaClientId: DEMO_CLIENT_IDS.spa,
    bindingClientIds: { react: bindingClients[0]!.clientId, vue: bindingClients[1]!.clientId },
  };
}
