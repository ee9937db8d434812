import { createAuthClient, createMemoryStorage, type AuthClient, type AuthClientOptions, type AuthStorage } from '@latchkey/browser';
import type { ProviderOptions } from '@latchkey/provider';
import { submitAuthorizeForm, type AuthorizeFormAnswer } from '../../../test-support/authorize-form.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { bufferResponsesInHappyDom } from './happy-dom-fetch.js';

bufferResponsesInHappyDom();

const CLIENT_ID = 'spa-client';
const SCOPE = 'openid profile email offline_access';

/** A clock the test moves by hand. */
function manualClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/**
 * Points happy-dom's page at `url`. The SDK runs in "the page": the test page is served from the
 * provider's origin, so happy-dom's same-origin policy does not stand between them.
 */
export function setPageUrl(url: string): void {
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url);
}

export interface Harness {
  provider: TestProvider;
  redirectUri: string;
  storage: AuthStorage;
  clock: ReturnType<typeof manualClock>;
  client(overrides?: Partial<AuthClientOptions>): AuthClient;
  /** Takes the provider down (its port refuses connections from now on). */
  stopProvider(): Promise<void>;
  close(): Promise<void>;
}

/** The real provider on 127.0.0.1, a registered public client, and a factory of SDK clients. */
export async function startHarness(providerOptions: Partial<ProviderOptions> = {}): Promise<Harness> {
  const provider = await startTestProvider(providerOptions);
  const redirectUri = `${provider.url}/app/callback`;
  await provider.provider.registerClient({
    clientId: CLIENT_ID,
    tokenEndpointAuthMethod: 'none',
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [`${provider.url}/app/bye`],
  });
  setPageUrl(`${provider.url}/app/home?tab=1`);
  const storage = createMemoryStorage();
  const clock = manualClock();
  const clients: AuthClient[] = [];
  let stopped: Promise<void> | undefined;
  const stopProvider = () => (stopped ??= provider.close());
  return {
    stopProvider,
    provider,
    redirectUri,
    storage,
    clock,
    client(overrides = {}) {
      const client = createAuthClient({
        issuer: provider.issuer,
        clientId: CLIENT_ID,
        redirectUri,
        scope: SCOPE,
        storage,
        clock: clock.now,
        dangerouslyAllowInsecureHttp: true,
        ...overrides,
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.stop();
      await stopProvider();
    },
  };
}

/** Starts a login without navigating and plays the user at the provider; returns the callback URL. */
export async function authorize(client: AuthClient, answer: AuthorizeFormAnswer = {}, returnTo = '/app/after'): Promise<string> {
  const url = await client.login({ returnTo, redirect: false });
  const result = await submitAuthorizeForm(url, answer);
  if (!result.location) throw new Error(`The provider did not redirect (HTTP ${result.status})`);
  return result.location;
}

/** A full login: authorize, then handle the callback. */
export async function logIn(client: AuthClient): Promise<void> {
  await client.handleCallback(await authorize(client));
}

/** Asserts that `promise` rejects with a Latchkey error of `code` and returns it. */
export async function rejection<T = unknown>(promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (error) {
    return error as T;
  }
  throw new Error('expected a rejection');
}

/** Revokes a token at the provider's RFC 7009 endpoint, as another party (an admin, a breach response) would. */
export async function revokeAtProvider(provider: TestProvider, token: string): Promise<void> {
  const response = await fetch(`${provider.url}/oauth/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, client_id: CLIENT_ID }),
  });
  if (response.status !== 200) throw new Error(`revocation failed: HTTP ${response.status}`);
}

/** The session as stored (tests look at storage to prove what was, or was not, written). */
export function storedSession(h: Harness, client: AuthClient) {
  return h.storage.get<{ accessToken: string; refreshToken?: string; idToken?: string; expiresAt: number | null }>(
    `${client.options.namespace}:session`,
  );
}
