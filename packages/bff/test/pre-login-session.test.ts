import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_ERROR_PARAM } from '@latchkey/common';
import { createMemoryStore, type SessionStore } from '@latchkey/bff';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { createKeyNames } from '../src/stores/key-names.js';
import { startBff, TEST_KEYS, type Browser, type TestBff } from './harness.js';
import { registerOAuth2Client } from './provider-clients.js';

const LOGIN_TIMEOUT_MS = 120_000;
const MAX_AGE_MS = 3_600_000;
/** The store keeps a session this much longer than the session's own deadline. */
const STORE_GRACE_MS = 10_000;

interface Write {
  key: string;
  ttlMs: number;
}

/**
 * A visitor without a session who starts a login gets a login-binding cookie, not a session: nothing
 * is written to the session store until a login completes, and then under a new session id with the
 * full lifetime. The session store is a real memory store on a clock the test moves, wrapped to record
 * the TTL of every write.
 */
describe('before a login completes', () => {
  let provider: TestProvider;
  let bff: TestBff;
  let clockMs = 0;
  const now = () => Date.now() + clockMs;
  const memory = createMemoryStore({ now });
  const writes: Write[] = [];
  const recording: SessionStore = {
    get: (key, options) => memory.get(key, options),
    set: (key, value, ttlMs) => memory.set(key, value, ttlMs),
    destroy: (key) => memory.destroy(key),
    compareAndSet: async (key, expected, value, ttlMs) => {
      writes.push({ key, ttlMs });
      return memory.compareAndSet?.(key, expected, value, ttlMs) ?? false;
    },
  };
  const names = createKeyNames(TEST_KEYS);

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      registry: { cache: createMemoryStore({ now }), now },
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

  const keyOf = (browser: Browser) => names.session(browser.cookies.get('latchkey') as string)[0];
  const writesOf = (key: string) => writes.filter((write) => write.key === key);
  const isFull = (write: Write | undefined) =>
    write !== undefined && write.ttlMs >= MAX_AGE_MS && write.ttlMs <= MAX_AGE_MS + STORE_GRACE_MS;
  const cookieLifetimeSeconds = (setCookie: string[], name: string) => {
    const line = setCookie.find((cookie) => cookie.startsWith(`${name}=`));
    const expires = line === undefined ? undefined : /expires=([^;]+)/i.exec(line)?.[1];
    return expires === undefined ? undefined : (Date.parse(expires) - Date.now()) / 1000;
  };

  it('an anonymous login start writes no session, and its login-binding cookie lives for the login timeout', async () => {
    const browser = bff.browser();
    const before = writes.length;
    const response = await browser.fetch('/bff/login/alpha');
    expect(response.status).toBe(302);
    expect(writes.length).toBe(before);
    expect(browser.cookies.has('latchkey')).toBe(false);
    const lifetime = cookieLifetimeSeconds(response.headers.getSetCookie(), 'latchkey-login') as number;
    expect(lifetime).toBeLessThanOrEqual(LOGIN_TIMEOUT_MS / 1000);
    expect(lifetime).toBeGreaterThan(LOGIN_TIMEOUT_MS / 1000 - 60);
  });

  it('a completed login gets a new session id with the full lifetime, cookie included', async () => {
    const browser = bff.browser();
    const authorizeUrl = await browser.startLogin('alpha');
    const answer = await submitAuthorizeForm(authorizeUrl, { decision: 'allow' });
    const callback = await browser.fetch(answer.location as string);
    expect(callback.status).toBe(302);
    const key = keyOf(browser);
    expect(writesOf(key)).toHaveLength(1);
    expect(isFull(writesOf(key)[0])).toBe(true);
    expect(cookieLifetimeSeconds(callback.headers.getSetCookie(), 'latchkey')).toBeGreaterThan(MAX_AGE_MS / 1000 - 60);
    expect((await browser.session()).authenticated).toBe(true);
  });

  it('an abandoned login leaves nothing once it has timed out, and its callback is refused', async () => {
    const browser = bff.browser();
    const authorizeUrl = await browser.startLogin('alpha');
    const answer = await submitAuthorizeForm(authorizeUrl, { decision: 'allow' });

    clockMs += LOGIN_TIMEOUT_MS + 1;
    const late = await browser.fetch(answer.location as string);
    expect(new URL(late.headers.get('location') as string, 'http://spa.invalid').searchParams.get(LOGIN_ERROR_PARAM)).toBe(
      'state_mismatch',
    );
    expect((await browser.session()).authenticated).toBe(false);
  });

  it('linking a second provider moves the session to a new id, still with the full lifetime', async () => {
    const browser = bff.browser();
    await browser.login('alpha');
    const first = keyOf(browser);
    await browser.login('beta');
    const linked = keyOf(browser);
    expect(linked).not.toBe(first);
    expect(await memory.get(first, { ttlMs: 1, rolling: false })).toBeUndefined();
    expect(writesOf(linked).every(isFull)).toBe(true);
    expect((await browser.session()).connections.map((connection) => connection.provider).sort()).toEqual(['alpha', 'beta']);
  });
});
