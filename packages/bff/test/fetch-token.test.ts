import type { Context, Middleware } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BFF_ERROR_HEADER } from '@latchkey/common';
import type { FetchToken, OAuth2Token, OAuthToken, PreviousToken, UpdateToken } from '@latchkey/bff';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type TestBff } from './harness.js';
import { registerOAuth2Client, revokeAccessToken, type ProviderClient } from './provider-clients.js';

interface HookCall {
  provider: string;
  /** The path of the request the hook was handed. */
  path: string | undefined;
}
interface UpdateCall extends HookCall {
  token: OAuth2Token;
  previous: PreviousToken;
}

/**
 * Tokens kept by the app itself (its database), loaded with `fetchToken` for calls made outside a BFF
 * session and saved back by `updateToken` after a refresh: registry-wide hooks and a per-client pair.
 */
describe('fetchToken and updateToken', () => {
  let provider: TestProvider;
  let bff: TestBff;
  let clockSkewMs = 0;
  const clients = new Map<string, ProviderClient>();
  /** The app's token table, keyed `user:provider`; the user comes from the app's own request header. */
  const database = new Map<string, OAuthToken>();
  const logins: { provider: string; token: OAuthToken }[] = [];
  const calls = {
    registryFetch: [] as HookCall[],
    ownFetch: [] as HookCall[],
    registryUpdate: [] as UpdateCall[],
    ownUpdate: [] as UpdateCall[],
  };

  const appUser = (ctx: Context | undefined) => ctx?.get('x-app-user') || undefined;
  const fetchFrom =
    (log: HookCall[]): FetchToken =>
    async (name, ctx) => {
      log.push({ provider: name, path: ctx?.path });
      const user = appUser(ctx);
      return user === undefined ? undefined : database.get(`${user}:${name}`);
    };
  const updateInto =
    (log: UpdateCall[]): UpdateToken =>
    async (name, token, previous, ctx) => {
      log.push({ provider: name, token, previous, path: ctx?.path });
      database.set(`${appUser(ctx)}:${name}`, token);
    };

  /** The app's own route: `/app/:provider` calls the provider's `/api/me` with `client.get(path, { ctx })`. */
  const appRoutes: Middleware = async (ctx) => {
    const match = /^\/app\/([a-z]+)$/.exec(ctx.path);
    if (match === null) return;
    const response = await bff.registry.client(match[1] as string).get('me', { ctx });
    ctx.status = response.status;
    ctx.body = await response.json();
  };

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      registry: {
        now: () => Date.now() + clockSkewMs,
        fetchToken: fetchFrom(calls.registryFetch),
        updateToken: updateInto(calls.registryUpdate),
      },
      bff: { onLogin: (_ctx, login) => void logins.push({ provider: login.provider, token: login.token }) },
      appRoutes,
      async register(registry, bffUrl) {
        for (const name of ['shared', 'own']) {
          const config = {
            clientKwargs: { scope: 'openid profile offline_access' },
            ...(name === 'own' ? { fetchToken: fetchFrom(calls.ownFetch), updateToken: updateInto(calls.ownUpdate) } : {}),
          };
          clients.set(name, await registerOAuth2Client(provider, registry, bffUrl, name, { config }));
        }
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  const refreshes = () => provider.countEvents('token_request', 'refresh_token');
  const resetCalls = () => {
    for (const log of Object.values(calls)) log.length = 0;
  };
  /** Logs in once in a throwaway browser and files the token under alice in the app's table. */
  async function seed(name: string): Promise<OAuth2Token> {
    await bff.browser().login(name);
    const token = logins.filter((login) => login.provider === name).at(-1)?.token as OAuth2Token;
    database.set(`alice:${name}`, token);
    resetCalls();
    return token;
  }
  /** A visitor without a BFF session, identified to the app by its own header. */
  const asAlice = { headers: { 'x-app-user': 'alice' }, csrf: true };
  const expireTokens = () => {
    clockSkewMs += 2 * 3600 * 1000;
  };

  describe('without a BFF session', () => {
    it('the proxy uses the registry fetchToken, handing it the request', async () => {
      await seed('shared');
      const visitor = bff.browser();
      const me = await visitor.fetch('/bff/api/shared/me', asAlice);
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ sub: ALICE.sub, client_id: 'bff-shared' });
      expect(calls.registryFetch).toEqual([{ provider: 'shared', path: '/bff/api/shared/me' }]);
      // Nothing was written to a session for this visitor.
      expect(visitor.cookies.size).toBe(0);

      const anonymous = await visitor.fetch('/bff/api/shared/me', { csrf: true });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get(BFF_ERROR_HEADER)).toBe('login_required');
    });

    it('a per-client fetchToken replaces the registry one, for the proxy and client.get', async () => {
      await seed('own');
      const visitor = bff.browser();
      const proxied = await visitor.fetch('/bff/api/own/me', asAlice);
      expect(await proxied.json()).toMatchObject({ sub: ALICE.sub, client_id: 'bff-own' });
      const programmatic = await visitor.fetch('/app/own', asAlice);
      expect(await programmatic.json()).toMatchObject({ sub: ALICE.sub, client_id: 'bff-own' });
      expect(calls.ownFetch).toEqual([
        { provider: 'own', path: '/bff/api/own/me' },
        { provider: 'own', path: '/app/own' },
      ]);
      expect(calls.registryFetch).toEqual([]);
    });

    it('client.get(path, { ctx }) uses the registry fetchToken', async () => {
      await seed('shared');
      const response = await bff.browser().fetch('/app/shared', asAlice);
      expect(await response.json()).toMatchObject({ sub: ALICE.sub, client_id: 'bff-shared' });
      expect(calls.registryFetch).toEqual([{ provider: 'shared', path: '/app/shared' }]);
    });
  });

  it('the session token wins over fetchToken for a provider the session holds', async () => {
    await seed('shared');
    const browser = bff.browser();
    await browser.login('shared');
    resetCalls();
    expect((await browser.fetch('/bff/api/shared/me', asAlice)).status).toBe(200);
    expect((await browser.fetch('/app/shared', asAlice)).status).toBe(200);
    expect(calls.registryFetch).toEqual([]);
  });

  describe('refreshing a fetched token', () => {
    it('through the proxy: updateToken gets the new token and the previous one, once', async () => {
      const old = await seed('shared');
      expireTokens();
      const before = refreshes();
      const me = await bff.browser().fetch('/bff/api/shared/me', asAlice);
      expect(me.status).toBe(200);
      expect(refreshes()).toBe(before + 1);
      expect(calls.registryUpdate).toHaveLength(1);
      const update = calls.registryUpdate[0] as UpdateCall;
      expect(update).toMatchObject({
        provider: 'shared',
        path: '/bff/api/shared/me',
        previous: { accessToken: old.accessToken, refreshToken: old.refreshToken },
      });
      expect(update.token.accessToken).not.toBe(old.accessToken);
      // The provider rotated the refresh token (RFC 6749 section 6); the app stored it, so the next call is plain.
      expect(update.token.refreshToken).not.toBe(old.refreshToken);
      expect(database.get('alice:shared')).toEqual(update.token);
      expect((await bff.browser().fetch('/bff/api/shared/me', asAlice)).status).toBe(200);
      expect(refreshes()).toBe(before + 1);
    });

    it('through client.get with a per-client updateToken, which replaces the registry one', async () => {
      const old = await seed('own');
      expireTokens();
      const before = refreshes();
      const response = await bff.browser().fetch('/app/own', asAlice);
      expect(await response.json()).toMatchObject({ sub: ALICE.sub });
      expect(refreshes()).toBe(before + 1);
      expect(calls.ownUpdate).toEqual([
        expect.objectContaining({
          provider: 'own',
          path: '/app/own',
          previous: { accessToken: old.accessToken, refreshToken: old.refreshToken },
        }),
      ]);
      expect(calls.registryUpdate).toEqual([]);
    });

    it('twenty concurrent proxied calls with an expired fetched token cause one refresh and one updateToken', async () => {
      await seed('shared');
      expireTokens();
      const before = refreshes();
      const responses = await Promise.all(Array.from({ length: 20 }, () => bff.browser().fetch('/bff/api/shared/me', asAlice)));
      expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
      expect(refreshes()).toBe(before + 1);
      expect(calls.registryUpdate).toHaveLength(1);
    });

    it('a fetched token the provider refuses (revoked) is refreshed and the call retried once', async () => {
      const old = await seed('shared');
      const revoked = await revokeAccessToken(provider, clients.get('shared') as ProviderClient, old.accessToken);
      expect(revoked.status).toBe(200);
      const before = refreshes();
      const me = await bff.browser().fetch('/bff/api/shared/me', asAlice);
      expect(me.status).toBe(200);
      expect(refreshes()).toBe(before + 1);
      expect(calls.registryUpdate).toEqual([
        expect.objectContaining({ provider: 'shared', previous: { accessToken: old.accessToken, refreshToken: old.refreshToken } }),
      ]);
    });
  });
});

describe('fetchToken without updateToken', () => {
  let provider: TestProvider;
  let bff: TestBff;
  let clockSkewMs = 0;
  let stored: OAuthToken | undefined;

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      registry: { now: () => Date.now() + clockSkewMs, fetchToken: async () => stored },
      bff: { onLogin: (_ctx, login) => void (stored = login.token) },
      async register(registry, bffUrl) {
        await registerOAuth2Client(provider, registry, bffUrl, 'forgetful', {
          config: { clientKwargs: { scope: 'openid offline_access' } },
        });
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  it('still refreshes, and warns that the refreshed token is not kept anywhere', async () => {
    await bff.browser().login('forgetful');
    const old = stored as OAuth2Token;
    clockSkewMs += 2 * 3600 * 1000;
    const me = await bff.browser().fetch('/bff/api/forgetful/me', { csrf: true });
    expect(me.status).toBe(200);
    expect(provider.countEvents('token_request', 'refresh_token')).toBe(1);
    const warnings = bff.logs.filter((line) => line.level === 'warn');
    expect(warnings).toEqual([{ level: 'warn', message: 'refreshed token not kept: no updateToken', fields: { provider: 'forgetful' } }]);
    expect(JSON.stringify(bff.logs)).not.toContain(old.refreshToken as string);
  });
});
