import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore, type SessionStore } from '@latchkey/bff';
import { startBff, type Browser, type TestBff } from './harness.js';
import { LOGOUT_EVENT, postLogoutToken, startStandInOp, type LogoutTokenOptions, type StandInOp } from './backchannel-logout-op.js';

const CLIENT_ID = 'bff-backchannel';

/** The code of the last logout token the BFF refused, from its log (the answer is the spec's `invalid_request`). */
const lastRefusal = (bff: TestBff) => bff.logs.filter((line) => line.message === 'logout token refused').at(-1)?.fields?.code;

describe('back-channel logout (OpenID Connect Back-Channel Logout 1.0) against an OP stand-in', () => {
  let op: StandInOp;
  let bff: TestBff;
  let clockSkewMs = 0;
  const now = () => Date.now() + clockSkewMs;

  beforeAll(async () => {
    op = await startStandInOp(CLIENT_ID);
    bff = await startBff({
      registry: { now },
      register(registry) {
        registry.register('stand', {
          clientId: CLIENT_ID,
          clientSecret: 'stand-in-secret',
          serverMetadataUrl: op.metadataUrl,
          apiBaseUrl: `${op.issuer}/api/`,
          clientKwargs: { scope: 'openid offline_access' },
        });
        // OAuth 2 without discovery: no issuer, no keys, so no logout tokens.
        registry.register('plain', {
          clientId: 'plain',
          clientSecret: 'plain-secret',
          authorizeUrl: `${op.issuer}/authorize`,
          accessTokenUrl: `${op.issuer}/token`,
        });
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await op?.close();
  });

  /** Logs a new browser in as `sub` in a new provider login session; returns it and that session's sid. */
  async function loggedIn(sub = 'alice', sid: string = randomUUID()): Promise<{ browser: Browser; sid: string }> {
    op.nextLogin({ sub, sid });
    const browser = bff.browser();
    const location = await browser.startLogin('stand');
    const back = await fetch(location, { redirect: 'manual' });
    const callback = await browser.fetch(back.headers.get('location') as string);
    expect(callback.headers.get('location')).toBe('/');
    expect((await browser.session()).authenticated).toBe(true);
    return { browser, sid };
  }

  const authenticated = async (browser: Browser) => (await browser.session()).authenticated;

  it('ends the session whose sid the token names, answers 200 no-store, and leaves the same user elsewhere', async () => {
    const first = await loggedIn('alice');
    const second = await loggedIn('alice');
    const answer = await postLogoutToken(bff.url, 'stand', await op.logoutToken({ claims: { sid: first.sid, sub: 'alice' } }));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');

    expect(await authenticated(first.browser)).toBe(false);
    expect(await authenticated(second.browser)).toBe(true);
    // The cookie names nothing now: the proxy too answers as to an anonymous browser.
    const proxied = await first.browser.fetch('/bff/api/stand/me', { csrf: true });
    expect(proxied.status).toBe(401);
  });

  it('without a sid ends every session of the sub, and no other user', async () => {
    const one = await loggedIn('carol');
    const two = await loggedIn('carol');
    const other = await loggedIn('dave');
    const ended = Math.floor(Date.now() / 1000) - 5;
    const answer = await postLogoutToken(bff.url, 'stand', await op.logoutToken({ claims: { sid: undefined, sub: 'carol', iat: ended } }));
    expect(answer.status).toBe(200);
    expect(await authenticated(one.browser)).toBe(false);
    expect(await authenticated(two.browser)).toBe(false);
    expect(await authenticated(other.browser)).toBe(true);
    // A login after the logout (a newer ID token) is not refused, and the next logout token ends it too.
    const again = await loggedIn('carol');
    expect((await postLogoutToken(bff.url, 'stand', await op.logoutToken({ claims: { sid: undefined, sub: 'carol' } }))).status).toBe(200);
    expect(await authenticated(again.browser)).toBe(false);
  });

  it('accepts a token typed JWT or untyped (section 2.4 recommends logout+jwt, it does not require it)', async () => {
    for (const typ of ['JWT', null, 'application/logout+jwt']) {
      const { browser, sid } = await loggedIn();
      expect((await postLogoutToken(bff.url, 'stand', await op.logoutToken({ typ, claims: { sid } }))).status).toBe(200);
      expect(await authenticated(browser)).toBe(false);
    }
  });

  const at = (secondsFromNow: number) => Math.floor(Date.now() / 1000) + secondsFromNow;
  const refusals: [string, string, (sid: string) => LogoutTokenOptions][] = [
    [
      'a signature by a key the provider does not publish',
      'logout_token_signature_invalid',
      (sid) => ({ foreignKey: true, claims: { sid } }),
    ],
    // The provider lists RS256 alone: a token made with the client secret is not its word.
    ['HS256 with the client secret', 'logout_token_alg_not_allowed', (sid) => ({ hmacSecret: 'stand-in-secret', claims: { sid } })],
    ['another issuer', 'logout_token_issuer_mismatch', (sid) => ({ claims: { sid, iss: 'https://other.example' } })],
    ['another audience', 'logout_token_audience_mismatch', (sid) => ({ claims: { sid, aud: 'someone-else' } })],
    ['no events claim', 'logout_token_events_invalid', (sid) => ({ claims: { sid, events: undefined } })],
    ['an events claim without the logout event', 'logout_token_events_invalid', (sid) => ({ claims: { sid, events: { other: {} } } })],
    [
      'a logout event that is not an object',
      'logout_token_events_invalid',
      (sid) => ({ claims: { sid, events: { [LOGOUT_EVENT]: true } } }),
    ],
    ['a nonce', 'logout_token_nonce_present', (sid) => ({ claims: { sid, nonce: 'n-0S6_WzA2Mj' } })],
    ['neither sid nor sub', 'logout_token_subject_missing', () => ({ claims: { sid: undefined, sub: undefined } })],
    ['an exp passed', 'logout_token_expired', (sid) => ({ claims: { sid, iat: at(-120), exp: at(-60) } })],
    ['an iat older than the accepted age', 'logout_token_iat_invalid', (sid) => ({ claims: { sid, iat: at(-3600), exp: undefined } })],
    ['an iat in the future', 'logout_token_iat_invalid', (sid) => ({ claims: { sid, iat: at(600), exp: at(900) } })],
    ['no iat', 'logout_token_iat_invalid', (sid) => ({ claims: { sid, iat: undefined } })],
    ['no jti', 'logout_token_jti_missing', (sid) => ({ claims: { sid, jti: undefined } })],
    ['another typ', 'logout_token_type_invalid', (sid) => ({ typ: 'at+jwt', claims: { sid } })],
  ];

  it.each(refusals)('refuses a token with %s (400 invalid_request, %s) and ends nothing', async (_case, code, options) => {
    const { browser, sid } = await loggedIn();
    const answer = await postLogoutToken(bff.url, 'stand', await op.logoutToken(options(sid)));
    expect(answer.status).toBe(400);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await answer.json()).toMatchObject({ error: 'invalid_request' });
    expect(lastRefusal(bff)).toBe(code);
    expect(await authenticated(browser)).toBe(true);
    // The control: the same login ends with a good token, so each refusal above was the check's doing.
    expect((await postLogoutToken(bff.url, 'stand', await op.logoutToken({ claims: { sid } }))).status).toBe(200);
    expect(await authenticated(browser)).toBe(false);
  });

  it('refuses a request without one logout_token, a body that is not a form, or a token that is not a JWT', async () => {
    const { browser, sid } = await loggedIn();
    const token = await op.logoutToken({ claims: { sid } });
    const cases: [RequestInit, string][] = [
      [{ body: new URLSearchParams() }, 'logout_token_missing'],
      [
        {
          body: new URLSearchParams([
            ['logout_token', token],
            ['logout_token', token],
          ]),
        },
        'logout_token_missing',
      ],
      [{ body: JSON.stringify({ logout_token: token }), headers: { 'content-type': 'application/json' } }, 'logout_token_missing'],
      [{ body: new URLSearchParams({ logout_token: 'not.a.jwt' }) }, 'logout_token_malformed'],
    ];
    for (const [init, code] of cases) {
      const answer = await fetch(`${bff.url}/bff/backchannel-logout/stand`, { method: 'POST', ...init });
      expect(answer.status).toBe(400);
      expect(lastRefusal(bff)).toBe(code);
    }
    const tooLarge = await postLogoutToken(bff.url, 'stand', new URLSearchParams({ logout_token: 'x'.repeat(20_000) }));
    expect(tooLarge.status).toBe(413);
    expect(await authenticated(browser)).toBe(true);
  });

  it('refuses a replayed jti, so a token cannot end a later session with the same sid', async () => {
    const sid = randomUUID();
    const first = await loggedIn('alice', sid);
    // Issued a little before the later login's ID token, which a provider reusing a sid would do.
    const token = await op.logoutToken({ claims: { sid, iat: Math.floor(Date.now() / 1000) - 5 } });
    expect((await postLogoutToken(bff.url, 'stand', token)).status).toBe(200);
    expect(await authenticated(first.browser)).toBe(false);

    const later = await loggedIn('alice', sid);
    const replayed = await postLogoutToken(bff.url, 'stand', token);
    expect(replayed.status).toBe(400);
    expect(lastRefusal(bff)).toBe('logout_token_replayed');
    expect(await authenticated(later.browser)).toBe(true);
  });

  it('answers unknown_provider (404) for a provider that is not registered or has no OpenID discovery', async () => {
    const { browser, sid } = await loggedIn();
    const token = await op.logoutToken({ claims: { sid } });
    for (const provider of ['nope', 'plain']) {
      const answer = await postLogoutToken(bff.url, provider, token);
      expect(answer.status).toBe(404);
      expect(await answer.json()).toMatchObject({ error: { code: 'unknown_provider' } });
    }
    expect(await authenticated(browser)).toBe(true);
  });

  it('logs refusals and logouts without the token or the claims', async () => {
    const { sid } = await loggedIn('erin');
    const refused = await op.logoutToken({ foreignKey: true, claims: { sid } });
    await postLogoutToken(bff.url, 'stand', refused);
    const token = await op.logoutToken({ claims: { sid } });
    await postLogoutToken(bff.url, 'stand', token);
    const logged = JSON.stringify(bff.logs);
    expect(logged).toContain('logout_token_signature_invalid');
    for (const secret of [refused, token, sid, 'erin', ...token.split('.')]) expect(logged).not.toContain(secret);
  });

  it('a refresh in flight when the token arrives does not write the ended session back', async () => {
    const { browser, sid } = await loggedIn('frank');
    const cookie = browser.cookieHeader();
    clockSkewMs += 2 * 3600 * 1000;
    try {
      const refreshes = op.refreshes();
      const held = op.holdNextRefresh();
      const call = browser.fetch('/bff/api/stand/me', { csrf: true });
      // The provider has rotated the grant; the BFF has read the session and waits for the answer.
      await held.reached;
      const seconds = Math.floor(now() / 1000);
      const token = await op.logoutToken({ claims: { sid, iat: seconds, exp: seconds + 120 } });
      expect((await postLogoutToken(bff.url, 'stand', token)).status).toBe(200);
      held.release();
      await call;
      expect(op.refreshes()).toBe(refreshes + 1);
      const after = await fetch(`${bff.url}/bff/session`, { headers: { cookie } });
      expect(((await after.json()) as { authenticated: boolean }).authenticated).toBe(false);
      expect((await fetch(`${bff.url}/bff/api/stand/me`, { headers: { cookie, 'x-latchkey-csrf': '1' } })).status).toBe(401);
    } finally {
      clockSkewMs -= 2 * 3600 * 1000;
    }
  });
});

/**
 * Two logins of one user completing at once: each reads the user's index entry and writes it back with
 * its own session added. The first write is held until the second login has read the entry, so without
 * a compare-and-set the second write would drop the first session and a logout token would miss it.
 */
/** A BFF keeping its sessions in `store`, whose one provider, `stand`, is the stand-in OP. */
const startBffOn = (op: StandInOp, store: SessionStore) =>
  startBff({
    bff: { store },
    register(registry) {
      registry.register('stand', { clientId: CLIENT_ID, clientSecret: 'stand-in-secret', serverMetadataUrl: op.metadataUrl });
    },
  });

describe('two logins of one user indexed at once', () => {
  let op: StandInOp;
  let bff: TestBff;
  const inner = createMemoryStore();
  const isSubEntry = (key: string) => key.startsWith('latchkey:bcl-sub:');
  let subReads = 0;
  let conflicts = 0;
  let held = false;
  let secondRead = () => {};
  const bothRead = new Promise<void>((resolve) => {
    secondRead = resolve;
  });
  const store: SessionStore = {
    get: async (key, options) => {
      if (isSubEntry(key) && ++subReads === 2) secondRead();
      return inner.get(key, options);
    },
    set: (key, value, ttlMs) => inner.set(key, value, ttlMs),
    destroy: (key) => inner.destroy(key),
    compareAndSet: async (key, expected, value, ttlMs) => {
      if (isSubEntry(key) && !held) {
        held = true;
        await bothRead;
      }
      const done = (await inner.compareAndSet?.(key, expected, value, ttlMs)) ?? false;
      if (isSubEntry(key) && !done) conflicts += 1;
      return done;
    },
  };

  beforeAll(async () => {
    op = await startStandInOp(CLIENT_ID);
    bff = await startBffOn(op, store);
  });
  afterAll(async () => {
    await bff?.close();
    await op?.close();
  });

  it('both land in the index, and a logout token for the sub ends both', async () => {
    const browsers = [bff.browser(), bff.browser()];
    const callbacks: string[] = [];
    for (const browser of browsers) {
      op.nextLogin({ sub: 'grace', sid: randomUUID() });
      const back = await fetch(await browser.startLogin('stand'), { redirect: 'manual' });
      callbacks.push(back.headers.get('location') as string);
    }
    const done = await Promise.all(browsers.map((browser, index) => browser.fetch(callbacks[index] as string)));
    expect(done.map((answer) => answer.headers.get('location'))).toEqual(['/', '/']);
    expect(conflicts).toBeGreaterThan(0);
    for (const browser of browsers) expect((await browser.session()).authenticated).toBe(true);

    const answer = await postLogoutToken(bff.url, 'stand', await op.logoutToken({ claims: { sid: undefined, sub: 'grace' } }));
    expect(answer.status).toBe(200);
    for (const browser of browsers) expect((await browser.session()).authenticated).toBe(false);
  });
});

/**
 * A login whose provider login session ends while the callback completes: the session is stored, and
 * the logout token arrives before it is indexed. Without the mark the token leaves, the login would
 * outlive the logout; with it, the login is refused when it is indexed.
 */
describe('a login the provider ends while it completes', () => {
  let op: StandInOp;
  let bff: TestBff;
  const inner = createMemoryStore();
  let door: { reached: () => void; open: Promise<void> } | undefined;
  const store: SessionStore = {
    get: (key, options) => inner.get(key, options),
    set: (key, value, ttlMs) => inner.set(key, value, ttlMs),
    destroy: (key) => inner.destroy(key),
    compareAndSet: async (key, expected, value, ttlMs) => {
      const done = (await inner.compareAndSet?.(key, expected, value, ttlMs)) ?? false;
      // Held right after a new session is stored, before the login indexes it.
      const held = door;
      if (held !== undefined && key.startsWith('latchkey:session:') && expected === undefined) {
        door = undefined;
        held.reached();
        await held.open;
      }
      return done;
    },
  };

  beforeAll(async () => {
    op = await startStandInOp(CLIENT_ID);
    bff = await startBffOn(op, store);
  });
  afterAll(async () => {
    await bff?.close();
    await op?.close();
  });

  it('is refused with login_failed, and the browser keeps no session', async () => {
    const sid = randomUUID();
    op.nextLogin({ sub: 'ivan', sid });
    const browser = bff.browser();
    const back = await fetch(await browser.startLogin('stand'), { redirect: 'manual' });
    let open = () => {};
    const reached = new Promise<void>((resolve) => {
      door = { reached: resolve, open: new Promise<void>((release) => (open = release)) };
    });
    const callback = browser.fetch(back.headers.get('location') as string);
    await reached;
    expect((await postLogoutToken(bff.url, 'stand', await op.logoutToken({ claims: { sid } }))).status).toBe(200);
    open();
    expect((await callback).headers.get('location')).toBe('/?latchkey_error=login_failed&latchkey_provider=stand');
    expect((await browser.session()).authenticated).toBe(false);
  });
});

/** The store fails while a logout is ending sessions: the token is answered 503 and may be sent again. */
describe('a logout the store fails half way', () => {
  let op: StandInOp;
  let bff: TestBff;
  const inner = createMemoryStore();
  let failIndexRead = false;
  const store: SessionStore = {
    get: async (key, options) => {
      if (failIndexRead && key.startsWith('latchkey:bcl-sid:')) {
        failIndexRead = false;
        throw new Error('connection lost');
      }
      return inner.get(key, options);
    },
    set: (key, value, ttlMs) => inner.set(key, value, ttlMs),
    destroy: (key) => inner.destroy(key),
    compareAndSet: async (key, expected, value, ttlMs) => (await inner.compareAndSet?.(key, expected, value, ttlMs)) ?? false,
  };

  beforeAll(async () => {
    op = await startStandInOp(CLIENT_ID);
    bff = await startBffOn(op, store);
  });
  afterAll(async () => {
    await bff?.close();
    await op?.close();
  });

  it('does not spend the jti, so the provider retrying the same token ends the session', async () => {
    const sid = randomUUID();
    op.nextLogin({ sub: 'judy', sid });
    const browser = bff.browser();
    const back = await fetch(await browser.startLogin('stand'), { redirect: 'manual' });
    await browser.fetch(back.headers.get('location') as string);
    expect((await browser.session()).authenticated).toBe(true);

    const token = await op.logoutToken({ claims: { sid } });
    failIndexRead = true;
    const failed = await postLogoutToken(bff.url, 'stand', token);
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ error: { code: 'store_unavailable' } });
    expect((await browser.session()).authenticated).toBe(true);
    const retried = await postLogoutToken(bff.url, 'stand', token);
    expect(retried.status).toBe(200);
    expect((await browser.session()).authenticated).toBe(false);
  });
});
