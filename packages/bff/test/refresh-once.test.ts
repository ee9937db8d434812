import type { Middleware } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BFF_ERROR_HEADER } from '@latchkey/common';
import type { OAuth2Token } from '@latchkey/bff';
import { listen, type Listening } from '../../../test-support/listen.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type TestBff } from './harness.js';
import { registerOAuth2Client, revokeAccessToken, type ProviderClient } from './provider-clients.js';

/**
 * One refresh per expiry and per token, never one per call. The provider issues 3-second access tokens
 * while the BFF keeps its default 60-second skew; the BFF's clock stands still unless a test moves it, so
 * "due for refresh" happens exactly when a test says so (the provider's own clock keeps running).
 */

const SCOPE = 'openid profile email offline_access';
const CALLS = 20;

/**
 * A token endpoint in front of the provider that revokes the previous access token whenever it answers a
 * refresh, as Authlib's servers do: a call still carrying the old token gets 401 from then on.
 */
async function startRevokingTokenFront(
  provider: TestProvider,
  client: () => ProviderClient,
): Promise<Listening & { revoked: () => number }> {
  const accessTokenOf = new Map<string, string>();
  let revoked = 0;
  const server = await listen(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (req.headers.authorization !== undefined) headers.authorization = req.headers.authorization;
    const answer = await fetch(`${provider.url}/oauth/token`, { method: 'POST', headers, body: form });
    const body = (await answer.json()) as { access_token?: string; refresh_token?: string };
    if (answer.ok && typeof body.access_token === 'string') {
      const previous = form.get('grant_type') === 'refresh_token' ? accessTokenOf.get(form.get('refresh_token') ?? '') : undefined;
      if (previous !== undefined) {
        expect((await revokeAccessToken(provider, client(), previous)).status).toBe(200);
        revoked += 1;
      }
      if (typeof body.refresh_token === 'string') accessTokenOf.set(body.refresh_token, body.access_token);
    }
    res.statusCode = answer.status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  return Object.assign(server, { revoked: () => revoked });
}

describe('tokens that live shorter than the refresh skew', () => {
  let provider: TestProvider;
  let bff: TestBff;
  let front: Awaited<ReturnType<typeof startRevokingTokenFront>>;
  let revokingClient: ProviderClient;
  /** An app's own token table, with the usual columns: the lifetime is not among them. */
  let row: Pick<OAuth2Token, 'accessToken' | 'refreshToken' | 'expiresAt' | 'tokenType' | 'scopes'> | undefined;
  const keepRow = (token: OAuth2Token) => {
    const { refreshToken, expiresAt } = token;
    row = {
      accessToken: token.accessToken,
      tokenType: token.tokenType,
      scopes: token.scopes,
      ...(refreshToken === undefined ? {} : { refreshToken }),
      ...(expiresAt === undefined ? {} : { expiresAt }),
    };
  };
  /** Calls that have read the table in this round; the refresh answer waits until all of them have. */
  let tableReads = 0;
  let allRead: Promise<void> = Promise.resolve();
  let readsDone = () => {};
  const frozen = Date.now();
  let clockMs = 0;
  /** Moves the BFF's clock 2 seconds on: a 3-second token is past half its lifetime, not yet expired. */
  const pastHalfLife = () => {
    clockMs += 2_000;
  };

  beforeAll(async () => {
    provider = await startTestProvider({ lifetimes: { accessToken: 3 } });
    front = await startRevokingTokenFront(provider, () => revokingClient);
    // The app's own route, calling the API with the token of its table (fetchToken / updateToken).
    const appRoutes: Middleware = async (ctx) => {
      if (ctx.path !== '/whoami') return;
      const response = await bff.registry.client('table').get('me', { ctx });
      ctx.status = response.status;
      ctx.body = await response.json();
    };
    bff = await startBff({
      registry: { now: () => frozen + clockMs },
      appRoutes,
      bff: {
        onLogin: (_ctx, login) => {
          if (login.provider === 'table' && login.token.kind === 'oauth2') keepRow(login.token);
          return undefined;
        },
      },
      async register(registry, bffUrl) {
        await registerOAuth2Client(provider, registry, bffUrl, 'table', {
          config: {
            clientKwargs: { scope: SCOPE },
            fetchToken: async () => {
              tableReads += 1;
              // Every call reads once, and the one refreshing reads again under the lock.
              if (tableReads === CALLS + 1) setImmediate(readsDone);
              return row === undefined ? undefined : { kind: 'oauth2', ...row };
            },
            updateToken: (_provider, token) => keepRow(token),
            // Holds the refresh answer until every call of the round has read the old token and is
            // waiting for the lock, so each of them finds a token that changed while it waited.
            complianceFix: { refreshTokenResponse: async (response) => (await allRead, response) },
          },
        });
        await registerOAuth2Client(provider, registry, bffUrl, 'plain', { config: { clientKwargs: { scope: SCOPE } } });
        revokingClient = await registerOAuth2Client(provider, registry, bffUrl, 'revoking', {
          config: { accessTokenUrl: `${front.url}/oauth/token`, clientKwargs: { scope: SCOPE } },
        });
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await front.close();
    await provider.close();
  });

  const refreshes = () => provider.countEvents('token_request', 'refresh_token');
  const concurrentCalls = (browser: ReturnType<TestBff['browser']>, name: string) =>
    Promise.all(Array.from({ length: CALLS }, () => browser.fetch(`/bff/api/${name}/me`, { csrf: true })));

  it(`makes exactly one refresh per expiry for ${CALLS} concurrent calls with 3-second tokens`, async () => {
    const browser = bff.browser();
    await browser.login('plain');
    // A fresh 3-second token is not "expiring" by a 60-second skew: it is used as it is.
    const before = refreshes();
    expect((await concurrentCalls(browser, 'plain')).map((response) => response.status)).toEqual(Array(CALLS).fill(200));
    expect(refreshes()).toBe(before);

    for (let expiry = 1; expiry <= 2; expiry += 1) {
      pastHalfLife();
      const responses = await concurrentCalls(browser, 'plain');
      expect(responses.map((response) => response.status)).toEqual(Array(CALLS).fill(200));
      expect(refreshes()).toBe(before + expiry);
    }
  });

  it('makes one refresh, not one per waiting call, when the stored token does not say how long it lives', async () => {
    await bff.browser().login('table');
    // Without issuedAt a 3-second token is due by the 60-second skew at once; a token that changed while a
    // call waited for the lock is still the answer.
    for (let round = 1; round <= 2; round += 1) {
      tableReads = 0;
      allRead = new Promise((resolve) => {
        readsDone = resolve;
      });
      const before = refreshes();
      const responses = await Promise.all(Array.from({ length: CALLS }, () => fetch(`${bff.url}/whoami`)));
      expect(responses.map((response) => response.status)).toEqual(Array(CALLS).fill(200));
      expect(refreshes()).toBe(before + 1);
    }
  });

  it('makes exactly one refresh, and every call succeeds, against a server that revokes the previous access token at refresh', async () => {
    const browser = bff.browser();
    await browser.login('revoking');
    for (let expiry = 1; expiry <= 2; expiry += 1) {
      pastHalfLife();
      const before = refreshes();
      const revokedBefore = front.revoked();
      const responses = await concurrentCalls(browser, 'revoking');
      expect(responses.map((response) => response.status)).toEqual(Array(CALLS).fill(200));
      expect(refreshes()).toBe(before + 1);
      expect(front.revoked()).toBe(revokedBefore + 1);
    }
  });
});

describe('an API that answers 401 to every token', () => {
  let provider: TestProvider;
  let api: Listening;
  let bff: TestBff;
  let apiRequests = 0;

  beforeAll(async () => {
    provider = await startTestProvider();
    api = await listen((req, res) => {
      apiRequests += 1;
      req.resume();
      res.statusCode = 401;
      res.setHeader('www-authenticate', 'Bearer error="insufficient_scope"');
      res.setHeader('content-type', 'application/json');
      res.end('{"message":"no"}');
    });
    bff = await startBff({
      async register(registry, bffUrl) {
        await registerOAuth2Client(provider, registry, bffUrl, 'refusing', {
          config: { apiBaseUrl: `${api.url}/`, clientKwargs: { scope: SCOPE } },
        });
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await api.close();
    await provider.close();
  });

  const refreshes = () => provider.countEvents('token_request', 'refresh_token');

  it('refreshes once per token, not once per call, and answers with the API 401', async () => {
    const browser = bff.browser();
    await browser.login('refusing');
    const before = refreshes();

    // The first 401 may be a revoked token: one refresh, one retry.
    const first = await browser.fetch('/bff/api/refusing/items', { csrf: true });
    expect(first.status).toBe(401);
    expect(first.headers.get(BFF_ERROR_HEADER)).toBeNull();
    expect(await first.json()).toEqual({ message: 'no' });
    expect(refreshes()).toBe(before + 1);

    // The token that refresh gave is refused too: the API means it, so no more refreshes or retries.
    const requestsBefore = apiRequests;
    for (let call = 0; call < 5; call += 1) {
      const response = await browser.fetch('/bff/api/refusing/items', { csrf: true });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    }
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => browser.fetch('/bff/api/refusing/items', { csrf: true })));
    expect(concurrent.map((response) => response.status)).toEqual(Array(10).fill(401));
    expect(refreshes()).toBe(before + 1);
    expect(apiRequests - requestsBefore).toBe(15);
  });
});
