/**
 * Test support for the OAuth 1.0a server: a provider on 127.0.0.1 with a fake clock, and a
 * consumer built on `@latchkey/oauth1` that speaks to it over real HTTP.
 */
import { signRequest, type SignOptions, type SignedRequest, type SigningKeys } from '@latchkey/oauth1';
import {
  createMemoryKeyValueStore,
  type ClientRecord,
  type KeyValueStore,
  type OAuth1ServerOptions,
  type ProviderEvent,
} from '@latchkey/provider';
import { submitAuthorizeForm } from '../../../../test-support/authorize-form.js';
import { ALICE, startTestProvider } from '../../../../test-support/provider.js';

export { ALICE };
export const CALLBACK = 'http://127.0.0.1:9/oauth1/callback';
/** The provider's protected resources: `/api/me` (GET) and `/api/echo` (POST, echoes the form body). */
export const RESOURCE_PATH = '/api/me';
export const ECHO_PATH = '/api/echo';

export interface FakeClock {
  now(): number;
  seconds(): number;
  advance(seconds: number): void;
}

export function createFakeClock(start = Date.UTC(2026, 0, 15, 12, 0, 0)): FakeClock {
  let current = start;
  return {
    now: () => current,
    seconds: () => Math.floor(current / 1000),
    advance: (seconds) => {
      current += seconds * 1000;
    },
  };
}

export interface OAuth1TestProvider {
  url: string;
  clock: FakeClock;
  events: ProviderEvent[];
  /** Every key the provider wrote to its store. */
  storedKeys: string[];
  storage: KeyValueStore;
  registerClient(settings?: { callbackUris?: string[]; rsaPublicKey?: string; name?: string }): Promise<ClientRecord>;
  /** `oauth1_token_issued` events so far: a refused request must not add one. */
  issuedCount(): number;
  close(): Promise<void>;
}

/** Records the keys written, so tests can check that no raw token is ever used as a key. */
function recordingStore(inner: KeyValueStore, keys: string[]): KeyValueStore {
  return {
    get: (key) => inner.get(key),
    set: (key, value, ttl) => (keys.push(key), inner.set(key, value, ttl)),
    add: (key, value, ttl) => (keys.push(key), inner.add(key, value, ttl)),
    take: (key) => inner.take(key),
    delete: (key) => inner.delete(key),
  };
}

/** The real provider (`startTestProvider`) on a fake clock, with the given OAuth 1 options. */
export async function startOAuth1Provider(oauth1: OAuth1ServerOptions = {}): Promise<OAuth1TestProvider> {
  const clock = createFakeClock();
  const storedKeys: string[] = [];
  const storage = recordingStore(createMemoryKeyValueStore({ now: clock.now }), storedKeys);
  const started = await startTestProvider({ oauth1, now: clock.now, storage });
  return {
    url: started.url,
    clock,
    events: started.events,
    storedKeys,
    storage,
    registerClient: (settings = {}) =>
      started.provider.registerClient({
        name: settings.name ?? 'Test Consumer',
        oauth1: {
          callbackUris: settings.callbackUris ?? [CALLBACK, 'oob'],
          ...(settings.rsaPublicKey ? { rsaPublicKey: settings.rsaPublicKey } : {}),
        },
      }),
    issuedCount: () => started.countEvents('oauth1_token_issued'),
    close: () => started.close(),
  };
}

export interface OAuth1Answer {
  status: number;
  headers: Headers;
  text: string;
  form: URLSearchParams;
}

export async function send(request: SignedRequest): Promise<OAuth1Answer> {
  const init: RequestInit = { method: request.method, headers: request.headers, redirect: 'manual' };
  if (request.body !== undefined) init.body = request.body;
  const response = await fetch(request.url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, form: new URLSearchParams(text) };
}

/** How a test consumer signs: one method and one placement for every request it sends. */
export interface ConsumerSettings {
  client: ClientRecord;
  signatureMethod?: string;
  /** Methods beside the built-in ones the consumer may sign with. Default none. */
  extraSignatureMethods?: SignOptions['extraSignatureMethods'];
  placement?: SignOptions['placement'];
  privateKey?: SigningKeys['privateKey'];
  /** Overrides the registered consumer secret (to sign with a wrong one). */
  consumerSecret?: string;
}

export interface Credentials {
  token: string;
  secret: string;
}

/**
 * A consumer built on `@latchkey/oauth1`'s `signRequest`, using the provider's fake clock for
 * `oauth_timestamp`.
 */
export function createConsumer(provider: OAuth1TestProvider, settings: ConsumerSettings) {
  const keys = (tokenSecret?: string): SigningKeys => {
    const result: SigningKeys = { consumerSecret: settings.consumerSecret ?? settings.client.clientSecret ?? '' };
    if (tokenSecret !== undefined) result.tokenSecret = tokenSecret;
    if (settings.privateKey !== undefined) result.privateKey = settings.privateKey;
    return result;
  };
  const sign = (options: Partial<SignOptions> & { path: string; credentials?: Credentials }): SignedRequest => {
    const { path, credentials, ...rest } = options;
    const signOptions: SignOptions = {
      method: 'POST',
      url: `${provider.url}${path}`,
      consumerKey: settings.client.clientId,
      keys: keys(credentials?.secret),
      signatureMethod: settings.signatureMethod ?? 'HMAC-SHA1',
      extraSignatureMethods: settings.extraSignatureMethods,
      placement: settings.placement ?? 'header',
      timestamp: provider.clock.seconds(),
      ...rest,
    };
    if (credentials) signOptions.token = credentials.token;
    return signRequest(signOptions);
  };

  return {
    sign,
    /** `null` sends no `oauth_callback`. */
    initiate: (callback: string | null = CALLBACK, extra: Partial<SignOptions> = {}) =>
      send(sign({ path: '/oauth1/initiate', ...(callback === null ? {} : { oauthParams: { oauth_callback: callback } }), ...extra })),
    exchange: (temporary: Credentials, verifier: string, extra: Partial<SignOptions> = {}) =>
      send(sign({ path: '/oauth1/token', credentials: temporary, oauthParams: { oauth_verifier: verifier }, ...extra })),
    resource: (token: Credentials, extra: Partial<SignOptions> & { path?: string } = {}) =>
      send(sign({ path: RESOURCE_PATH, method: 'GET', credentials: token, ...extra })),
  };
}

export type Consumer = ReturnType<typeof createConsumer>;

export function credentialsOf(answer: OAuth1Answer): Credentials {
  const token = answer.form.get('oauth_token');
  const secret = answer.form.get('oauth_token_secret');
  if (answer.status !== 200 || token === null || secret === null) {
    throw new Error(`Expected credentials, got HTTP ${answer.status}: ${answer.text}`);
  }
  return { token, secret };
}

/** Plays the user at the login + consent page; returns the callback URL's query parameters. */
export async function authorize(
  provider: OAuth1TestProvider,
  temporaryToken: string,
  decision: 'allow' | 'deny' = 'allow',
): Promise<URLSearchParams> {
  const url = `${provider.url}/oauth1/authorize?oauth_token=${encodeURIComponent(temporaryToken)}`;
  const result = await submitAuthorizeForm(url, { username: ALICE.username, password: ALICE.password, decision });
  if (result.location === null) throw new Error(`Expected a redirect, got HTTP ${result.status}`);
  return new URL(result.location).searchParams;
}

/** The whole three-legged flow; returns the temporary and token credentials. */
export async function runFlow(provider: OAuth1TestProvider, consumer: Consumer) {
  const temporary = credentialsOf(await consumer.initiate());
  const callback = await authorize(provider, temporary.token);
  const verifier = callback.get('oauth_verifier') ?? '';
  const token = credentialsOf(await consumer.exchange(temporary, verifier));
  return { temporary, verifier, token };
}
