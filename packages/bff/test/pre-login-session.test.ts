import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_ERROR_PARAM } from '@latchkey/common';
import { createMemoryStore, type SessionStore } from '@latchkey/bff';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type Browser, type TestBff } from './harness.js';
import { registerOAuth2Client } from './provider-clients.js';

const LOGIN_TIMEOUT_MS = 120_000;
const MAX_AGE_MS = 3_600_000;
/** koa-session keeps a stored session this much longer than its cookie. */
const STORE_GRACE_MS = 10_000;

interface Write {
  key: string;
  ttlMs: number;
}

/**
 * A visitor without a session who starts a login gets a session only to bind the login transaction to.
 * It must not outlive the transaction unless the login completes; then the new session id gets the
 * full lifetime. The session store is a real memory store on a clock the test moves, wrapped to record
 * the TTL of every write.
 */
describe('pre-login sessions', () => {
  let provider: TestProvider;
  let bff: TestBff;
  let clockMs = 0;
  const now = () => Date.now() + clockMs;
  const memory = createMemoryStore({ now });
  const writes: Write[] = [];
  const destroyed: string[] = [];
  const recording: SessionStore = {
    get: (key, options) => memory.get(key, options),
    set: async (key, value, ttlMs) => {
      writes.push({ key, ttlMs });
      await memory.set(key, value, ttlMs);
    },
    destroy: async (key) => {
      destroyed.push(key);
      await memory.destroy(key);
    },
  };

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      registry: { cache: createMemoryStore({ now }) },
      bff: { store: recording, loginTimeoutMs: LOGIN_TIMEOUT_MS, cookie: { maxAgeMs: MAX_AGE_MS } },
      async register(registry, bffUrl) {
        for (const name of ['alpha', 'beta']) {
          await registerOAuth2Client(provider, registry, bffUrl, name, { clientId: `bff-pre-${name}` });
        }
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  const keyOf = (browser: Browser) => `latchkey:session:${browser.cookies.get('latchkey')}`;
  const writesOf = (key: string) => writes.filter((write) => write.key === key);
  const stored = (key: string) => memory.get(key, { ttlMs: MAX_AGE_MS, rolling: false });
  const isPreLogin = (write: Write | undefined) =>
    write !== undefined && write.ttlMs >= LOGIN_TIMEOUT_MS && write.ttlMs <= LOGIN_TIMEOUT_MS + STORE_GRACE_MS;
  const isFull = (write: Write | undefined) => write !== undefined && write.ttlMs >= MAX_AGE_MS;
  const cookieLifetimeSeconds = (setCookie: string) => {
    const expires = /expires=([^;]+)/i.exec(setCookie)?.[1];
    return expires === undefined ? undefined : (Date.parse(expires) - Date.now()) / 1000;
  };

  it('an anonymous login start stores its session for the login timeout only, cookie included', async () => {
    const browser = bff.browser();
    const response = await browser.fetch('/bff/login/alpha');
    expect(response.status).toBe(302);
    const key = keyOf(browser);
    expect(writesOf(key)).toHaveLength(1);
    expect(isPreLogin(writesOf(key)[0])).toBe(true);
    // The cookie expires with the session: well before the full lifetime.
    const lifetime = cookieLifetimeSeconds(response.headers.get('set-cookie') as string) as number;
    expect(lifetime).toBeLessThanOrEqual(LOGIN_TIMEOUT_MS / 1000);
    expect(lifetime).toBeGreaterThan(0);
  });

  it('a completed login moves to a new session id with the full lifetime and drops the pre-login one', async () => {
    const browser = bff.browser();
    const authorizeUrl = await browser.startLogin('alpha');
    const preLoginKey = keyOf(browser);
    expect(isPreLogin(writesOf(preLoginKey).at(-1))).toBe(true);

    const answer = await submitAuthorizeForm(authorizeUrl, { decision: 'allow' });
    const callback = await browser.fetch(answer.location as string);
    expect(callback.status).toBe(302);
    const sessionKey = keyOf(browser);
    expect(sessionKey).not.toBe(preLoginKey);
    expect(destroyed).toContain(preLoginKey);
    expect(await stored(preLoginKey)).toBeUndefined();
    expect(writesOf(sessionKey).length).toBeGreaterThan(0);
    expect(writesOf(sessionKey).every(isFull)).toBe(true);
    expect(cookieLifetimeSeconds(callback.headers.get('set-cookie') as string)).toBeGreaterThan(LOGIN_TIMEOUT_MS / 1000);
    expect((await browser.session()).authenticated).toBe(true);
  });

  it('an abandoned login leaves no session once the login has timed out, and its callback is refused', async () => {
    const browser = bff.browser();
    const authorizeUrl = await browser.startLogin('alpha');
    const key = keyOf(browser);
    expect(await stored(key)).toBeDefined();
    const answer = await submitAuthorizeForm(authorizeUrl, { decision: 'allow' });

    clockMs += LOGIN_TIMEOUT_MS + STORE_GRACE_MS + 1;
    expect(await stored(key)).toBeUndefined();
    const late = await browser.fetch(answer.location as string);
    expect(new URL(late.headers.get('location') as string, 'http://spa.invalid').searchParams.get(LOGIN_ERROR_PARAM)).toBe('state_mismatch');
    expect((await browser.session()).authenticated).toBe(false);
  });

  it('starting another login from the same anonymous session renews the short lifetime, never the full one', async () => {
    const browser = bff.browser();
    await browser.startLogin('alpha');
    const key = keyOf(browser);
    await browser.startLogin('beta');
    expect(keyOf(browser)).toBe(key);
    expect(writesOf(key)).toHaveLength(2);
    expect(writesOf(key).every(isPreLogin)).toBe(true);
  });

  it('a logged-in session that starts a second login (linking) keeps its full lifetime', async () => {
    const browser = bff.browser();
    await browser.login('alpha');
    const key = keyOf(browser);
    const before = writesOf(key).length;
    await browser.startLogin('beta');
    expect(keyOf(browser)).toBe(key);
    expect(writesOf(key).slice(before).filter((write) => !isFull(write))).toEqual([]);

    await browser.login('beta');
    const linked = keyOf(browser);
    expect(writesOf(linked).length).toBeGreaterThan(0);
    expect(writesOf(linked).every(isFull)).toBe(true);
    expect((await browser.session()).connections.map((connection) => connection.provider).sort()).toEqual(['alpha', 'beta']);
  });
});
