import { createProvider, demoClients, DEMO_CLIENT_IDS, type ClientInput, type Provider } from '@latchkey/provider';

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
  /** The OAuth 1.0a consumer of the BFF. */
  oauth1Client: ClientInput & { clientSecret: string };
  /** The public (PKCE) client of the SPA. */
  spaClientId: string;
}

function withSecret(client: ClientInput | undefined): ClientInput & { clientSecret: string } {
  if (!client?.clientSecret) throw new Error('The provider\'s demo clients changed: a BFF client has no secret.');
  return { ...client, clientSecret: client.clientSecret };
}

/** The embedded provider with the three demo clients (their secrets are random per start). */
export async function createDemoProvider(options: DemoProviderOptions): Promise<DemoProvider> {
  const clients = demoClients({ spaOrigin: options.appOrigin });
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
    oauth1Client: withSecret(clients.find((client) => client.clientId === DEMO_CLIENT_IDS.oauth1)),
    spaClientId: DEMO_CLIENT_IDS.spa,
  };
}
