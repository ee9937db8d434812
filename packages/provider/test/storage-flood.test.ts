/**
 * Regression: an anonymous flood of `GET /oauth/authorize` evicted what signed-in users hold from the
 * default memory store (one bound for everything, oldest out): refresh tokens, OAuth 1 token credentials
 * and the markers that catch a reused refresh token. ARCHITECTURE.md, security rules: "Anonymous traffic
 * cannot push out authenticated state: ... pending authorization requests (provider) are bounded apart
 * from sessions, grants, tokens and reuse markers." The floods below are real requests over 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemoryKeyValueStore,
  DEFAULT_MEMORY_STORE_BOUNDS,
  type KeyValueStore,
  type MemoryKeyValueStoreOptions,
  type ProviderOptions,
} from '@latchkey/provider';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import {
  CALLBACK,
  createConsumer,
  createFakeClock,
  credentialsOf,
  runFlow,
  type Consumer,
  type Credentials,
  type FakeClock,
  type OAuth1TestProvider,
} from './oauth1/support.js';
import { SERVICE, SPA, TEST_CLIENTS, authorizationUrl, getMe, postForm, redeemAsSpa, obtainCode, type RawResponse } from './support.js';
import { readAuthorizeForm } from '../../../test-support/authorize-form.js';

let started: TestProvider | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
});

interface Signed {
  tp: TestProvider;
  clock: FakeClock;
  consumer: Consumer;
  oauth1: OAuth1TestProvider;
}

/**
 * Clients in a store of their own, as `createProvider` wires its default memory store, so that a bounded
 * store under test holds what the default one holds: codes, tokens, markers, pending requests.
 */
function clientsApart(store: KeyValueStore): KeyValueStore {
  const clients = createMemoryKeyValueStore();
  const pick = (key: string) => (key.startsWith('client:') || key === 'clients:index' ? clients : store);
  return {
    get: (key) => pick(key).get(key),
    set: (key, value, ttl) => pick(key).set(key, value, ttl),
    add: (key, value, ttl) => pick(key).add(key, value, ttl),
    take: (key) => pick(key).take(key),
    delete: (key) => pick(key).delete(key),
  };
}

/** The real provider on a frozen clock (nothing expires during a test), with the test clients and an OAuth 1 consumer. */
async function start(bounds?: MemoryKeyValueStoreOptions): Promise<Signed> {
  const clock = createFakeClock();
  const options: Partial<ProviderOptions> = { clients: TEST_CLIENTS, now: clock.now };
  if (bounds) options.storage = clientsApart(createMemoryKeyValueStore({ ...bounds, now: clock.now }));
  const tp = await startTestProvider(options);
  started = tp;
  const client = await tp.provider.registerClient({ name: 'Flood Consumer', oauth1: { callbackUris: [CALLBACK] } });
  const oauth1: OAuth1TestProvider = {
    url: tp.url,
    clock,
    events: tp.events,
    storedKeys: [],
    storage: tp.provider.context.storage,
    registerClient: () => Promise.reject(new Error('not used')),
    issuedCount: () => tp.countEvents('oauth1_token_issued'),
    close: () => tp.close(),
  };
  return { tp, clock, consumer: createConsumer(oauth1, { client }), oauth1 };
}

const refresh = (tp: TestProvider, refreshToken: string): Promise<RawResponse> =>
  postForm(`${tp.issuer}/oauth/token`, { grant_type: 'refresh_token', client_id: SPA.clientId, refresh_token: refreshToken });

/** What a signed-in world holds before the flood: a rotated refresh token (the old one is a reuse marker), an access token, an OAuth 1 token credential. */
async function signIn({ tp, oauth1, consumer }: Signed) {
  const { code, verifier } = await obtainCode(tp, SPA);
  const first = await redeemAsSpa(tp, code, verifier);
  expect(first.status).toBe(200);
  const rotated = await refresh(tp, String(first.body.refresh_token));
  expect(rotated.status).toBe(200);
  const { token } = await runFlow(oauth1, consumer);
  expect((await consumer.resource(token)).status).toBe(200);
  return {
    usedRefreshToken: String(first.body.refresh_token),
    refreshToken: String(rotated.body.refresh_token),
    accessToken: String(rotated.body.access_token),
    oauth1Token: token,
  };
}

/** `count` anonymous authorization requests, `concurrency` at a time: each one is a pending request the provider keeps. */
async function floodAuthorize(tp: TestProvider, count: number, concurrency = 16): Promise<Record<number, number>> {
  const url = (await authorizationUrl(tp, SPA)).url.toString();
  const statuses = new Map<number, number>();
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      sent += 1;
      const response = await fetch(url, { redirect: 'manual' });
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return Object.fromEntries(statuses);
}

/** Everything the signed-in user and the thief-catching markers had must still work; checked together, so a failure shows all that was lost. */
async function expectSignedInStateSurvives({ tp, consumer }: Signed, held: Awaited<ReturnType<typeof signIn>>): Promise<void> {
  const accessToken = await getMe(tp, held.accessToken);
  const oauth1TokenCredential = (await consumer.resource(held.oauth1Token)).status;
  const next = await refresh(tp, held.refreshToken);
  // A thief replays the rotated-out refresh token: it must be caught, and the whole grant revoked.
  const reuses = () => tp.events.filter((event) => event.type === 'token_revoked' && event.reason === 'refresh_reuse').length;
  const before = reuses();
  const replay = await refresh(tp, held.usedRefreshToken);
  const after = next.status === 200 ? await refresh(tp, String(next.body.refresh_token)) : undefined;
  expect({
    accessToken,
    oauth1TokenCredential,
    refreshToken: next.status,
    replayRefused: replay.body.error,
    replayCaughtAsReuse: reuses() === before + 1,
    grantRevokedAfterReuse: after?.body.error,
  }).toEqual({
    accessToken: 200,
    oauth1TokenCredential: 200,
    refreshToken: 200,
    replayRefused: 'invalid_grant',
    replayCaughtAsReuse: true,
    grantRevokedAfterReuse: 'invalid_grant',
  });
}

/** A pending sign-in page's form is still answerable (true) or its request was evicted (false). */
async function pendingStillThere(form: { action: string; fields: Record<string, string> }): Promise<boolean> {
  const response = await fetch(form.action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form.fields, username: 'alice', password: 'wonderland', decision: 'allow' }),
  });
  await response.arrayBuffer();
  return response.status === 302;
}

describe('an anonymous flood of GET /oauth/authorize (memory store)', () => {
  it('evicts only pending requests: refresh tokens, OAuth 1 token credentials and reuse markers survive', async () => {
    // Small bounds so a few thousand requests overflow them; before the fix maxEntries bounded everything.
    const signed = await start({ maxEntries: 800, maxPendingEntries: 200 });
    const held = await signIn(signed);
    const early = await readAuthorizeForm((await authorizationUrl(signed.tp, SPA)).url.toString());

    const statuses = await floodAuthorize(signed.tp, 1200);

    await expectSignedInStateSurvives(signed, held);
    // The flood was served, not refused (making room among pending requests is the store's job), and it
    // did push out the pending request made before it.
    expect(statuses).toEqual({ 200: 1200 });
    expect(await pendingStillThere(early)).toBe(false);
    // A new sign-in still works after the flood.
    const { code, verifier } = await obtainCode(signed.tp, SPA);
    expect((await redeemAsSpa(signed.tp, code, verifier)).status).toBe(200);
  });

  it('keeps OAuth 1 temporary credentials and nonces apart too: an initiate flood evicts no token credential', async () => {
    const signed = await start({ maxEntries: 500, maxPendingEntries: 100, maxNonceEntries: 5000 });
    const held = await signIn(signed);
    const early: Credentials = credentialsOf(await signed.consumer.initiate());

    const statuses: number[] = [];
    for (let sent = 0; sent < 800; sent += 40) {
      const answers = await Promise.all(Array.from({ length: 40 }, () => signed.consumer.initiate()));
      statuses.push(...answers.map((answer) => answer.status));
    }

    await expectSignedInStateSurvives(signed, held);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    // The first temporary credential was pushed out by the later ones.
    const stale = await fetch(`${signed.tp.url}/oauth1/authorize?oauth_token=${encodeURIComponent(early.token)}`);
    expect(await stale.text()).not.toContain('<form');
  });

  it(`holds at the default bounds: ${DEFAULT_MEMORY_STORE_BOUNDS.pending + 500} requests push out the oldest pending request and nothing else`, async () => {
    const signed = await start();
    const held = await signIn(signed);
    const early = await readAuthorizeForm((await authorizationUrl(signed.tp, SPA)).url.toString());

    const statuses = await floodAuthorize(signed.tp, DEFAULT_MEMORY_STORE_BOUNDS.pending + 500);

    await expectSignedInStateSurvives(signed, held);
    expect(statuses).toEqual({ 200: DEFAULT_MEMORY_STORE_BOUNDS.pending + 500 });
    expect(await pendingStillThere(early)).toBe(false);
  }, 120_000);
});

/** Asks for client_credentials tokens (each a new durable record, made by an authenticated client) until one is refused. */
async function fillWithClientTokens({ tp }: Signed): Promise<{ statuses: number[]; refusal: RawResponse | undefined }> {
  const statuses: number[] = [];
  for (let sent = 0; sent < 100; sent += 1) {
    const answer = await postForm(`${tp.issuer}/oauth/token`, {
      grant_type: 'client_credentials',
      client_id: SERVICE.clientId,
      client_secret: SERVICE.clientSecret,
      scope: 'reports:read',
    });
    statuses.push(answer.status);
    if (answer.status !== 200) return { statuses, refusal: answer };
  }
  return { statuses, refusal: undefined };
}

describe('durable records at their bound (memory store)', () => {
  it('refuses new tokens with 503 temporarily_unavailable and drops no live one', async () => {
    const signed = await start({ maxEntries: 60 });
    const held = await signIn(signed);
    const { statuses, refusal } = await fillWithClientTokens(signed);
    expect(refusal?.status).toBe(503);
    expect(refusal?.body.error).toBe('temporarily_unavailable');
    expect(statuses.slice(0, -1).every((status) => status === 200)).toBe(true);
    expect(await getMe(signed.tp, held.accessToken)).toBe(200);
    expect((await signed.consumer.resource(held.oauth1Token)).status).toBe(200);
  });

  it('gives a refresh refused at the bound its refresh token back: the retry, once there is room, is not taken for reuse', async () => {
    const signed = await start({ maxEntries: 60 });
    const held = await signIn(signed);
    await fillWithClientTokens(signed);

    const refused = await refresh(signed.tp, held.refreshToken);
    expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 503, error: 'temporarily_unavailable' });

    signed.clock.advance(3601); // the client_credentials tokens expire and make room
    const retried = await refresh(signed.tp, held.refreshToken);
    expect({ status: retried.status, error: retried.body.error }).toEqual({ status: 200, error: undefined });
    expect(signed.tp.countEvents('token_revoked')).toBe(0);
  });
});
