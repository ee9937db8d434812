import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_ERROR_PARAM } from '@latchkey/common';
import { createMemoryStore } from '@latchkey/bff';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { createKeyNames } from '../src/stores/key-names.js';
import { startBff, TEST_KEYS, type Browser, type TestBff } from './harness.js';
import { registerOAuth2Client } from './provider-clients.js';

const loginError = (location: string | null) => new URL(location ?? '', 'http://spa.invalid').searchParams.get(LOGIN_ERROR_PARAM);

/**
 * ARCHITECTURE.md, BFF: "Login transactions ... bound to the browser by something that survives
 * session-id rotation, so two logins started in two tabs both complete", and security rules: "`state`
 * on every redirect flow, single use, bound to the session/tab that started it". Two logins started in
 * one browser before either finishes (two tabs, a double click, linking a second provider while a
 * login is pending) both complete, each on its own `returnTo`, in either order.
 */
describe('parallel logins in one browser', () => {
  let provider: TestProvider;
  let bff: TestBff;
  const cache = createMemoryStore();

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      registry: { cache },
      async register(registry, bffUrl) {
        for (const name of ['alpha', 'beta'])
          await registerOAuth2Client(provider, registry, bffUrl, name, { clientId: `bff-parallel-${name}` });
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  /** Starts a login and passes the provider's consent page; returns the callback URL, not yet visited. */
  async function pendingLogin(browser: Browser, name: string, returnTo: string): Promise<string> {
    const answer = await submitAuthorizeForm(await browser.startLogin(name, returnTo));
    return answer.location as string;
  }
  const providersOf = async (browser: Browser) => (await browser.session()).connections.map((connection) => connection.provider).sort();

  for (const order of ['first started, first completed', 'last started, first completed'] as const) {
    it(`two logins with one provider both complete (${order})`, async () => {
      const browser = bff.browser();
      const callbacks = [await pendingLogin(browser, 'alpha', '/tab-one'), await pendingLogin(browser, 'alpha', '/tab-two')];
      const returnTos = ['/tab-one', '/tab-two'];
      const sequence = order === 'first started, first completed' ? [0, 1] : [1, 0];
      for (const index of sequence) {
        const done = await browser.fetch(callbacks[index] as string);
        expect(done.status).toBe(302);
        expect(done.headers.get('location')).toBe(returnTos[index]);
      }
      expect(await providersOf(browser)).toEqual(['alpha']);
      expect((await browser.fetch('/bff/api/alpha/me', { csrf: true })).status).toBe(200);
    });

    it(`two logins with two providers both complete (${order})`, async () => {
      const browser = bff.browser();
      const callbacks = [await pendingLogin(browser, 'alpha', '/alpha-tab'), await pendingLogin(browser, 'beta', '/beta-tab')];
      const returnTos = ['/alpha-tab', '/beta-tab'];
      const sequence = order === 'first started, first completed' ? [0, 1] : [1, 0];
      for (const index of sequence) {
        const done = await browser.fetch(callbacks[index] as string);
        expect(done.headers.get('location')).toBe(returnTos[index]);
      }
      expect(await providersOf(browser)).toEqual(['alpha', 'beta']);
      for (const name of ['alpha', 'beta']) expect((await browser.fetch(`/bff/api/${name}/me`, { csrf: true })).status).toBe(200);
    });
  }

  it('linking a second provider while a first login is pending: both complete', async () => {
    const browser = bff.browser();
    await browser.login('alpha');
    const again = await pendingLogin(browser, 'alpha', '/again');
    const link = await pendingLogin(browser, 'beta', '/link');
    expect((await browser.fetch(link)).headers.get('location')).toBe('/link');
    expect((await browser.fetch(again)).headers.get('location')).toBe('/again');
    expect(await providersOf(browser)).toEqual(['alpha', 'beta']);
  });

  it('a pending login of another browser is still refused (login CSRF)', async () => {
    const attacker = bff.browser();
    const victim = bff.browser();
    await victim.startLogin('alpha');
    const callback = await pendingLogin(attacker, 'alpha', '/');
    expect(loginError((await victim.fetch(callback)).headers.get('location'))).toBe('state_mismatch');
    expect((await victim.session()).authenticated).toBe(false);
  });

  /**
   * The replayed callback carries a login-binding cookie that is still valid: only the deletion of the
   * used `state` refuses it (before, a changed session id refused it whether the state was deleted or not).
   */
  it('a used state is deleted: the same browser replaying its callback is refused before any token request', async () => {
    const browser = bff.browser();
    const authorizeUrl = await browser.startLogin('alpha', '/first');
    const state = new URL(authorizeUrl).searchParams.get('state') as string;
    const callback = (await submitAuthorizeForm(authorizeUrl)).location as string;
    expect((await browser.fetch(callback)).headers.get('location')).toBe('/first');
    const transactionKey = createKeyNames(TEST_KEYS).transaction('alpha', state)[0];
    expect(await cache.take(transactionKey)).toBeUndefined();

    const tokenRequests = provider.countEvents('token_request');
    const replay = await browser.fetch(callback);
    expect(loginError(replay.headers.get('location'))).toBe('state_mismatch');
    expect(provider.countEvents('token_request')).toBe(tokenRequests);
    expect((await browser.session()).authenticated).toBe(true);
  });
});
