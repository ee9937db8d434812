import { createMemoryKeyValueStore, type KeyValueStore } from '@latchkey/provider';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readAuthorizeForm } from '../../../test-support/authorize-form.js';
import { listen } from '../../../test-support/listen.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { SPA, TEST_CLIENTS, WEB, authorizationUrl, basic, postForm, redeemAsSpa, type AuthorizationStart } from './support.js';

const COOKIE = 'latchkey-op-session';
const START = Date.UTC(2026, 0, 15, 12, 0, 0);
let now = START;
const advance = (seconds: number) => {
  now += seconds * 1000;
};

/** Records every key written, to check that no key holds the cookie value. */
const writtenKeys: string[] = [];
function recordingStore(inner: KeyValueStore): KeyValueStore {
  return {
    get: (key) => inner.get(key),
    set: (key, value, ttl) => (writtenKeys.push(key), inner.set(key, value, ttl)),
    add: (key, value, ttl) => (writtenKeys.push(key), inner.add(key, value, ttl)),
    take: (key) => inner.take(key),
    delete: (key) => inner.delete(key),
  };
}

let tp: TestProvider;
beforeAll(async () => {
  tp = await startTestProvider({
    clients: TEST_CLIENTS,
    now: () => now,
    storage: recordingStore(createMemoryKeyValueStore({ now: () => now })),
  });
});
afterAll(() => tp.close());
beforeEach(() => {
  now = START;
});

interface Answer {
  status: number;
  location: string | null;
  setCookie: string[];
  body: string;
}

async function answer(response: Response): Promise<Answer> {
  return {
    status: response.status,
    location: response.headers.get('location'),
    setCookie: response.headers.getSetCookie(),
    body: await response.text(),
  };
}

/** The session cookie a response set, as a `Cookie` header value. */
function sessionCookie(result: Answer): string {
  const line = result.setCookie.find((cookie) => cookie.startsWith(`${COOKIE}=`));
  if (!line) throw new Error(`No session cookie (HTTP ${result.status})`);
  return line.split(';')[0] ?? '';
}

const get = async (url: URL | string, cookie?: string) =>
  answer(await fetch(url, { redirect: 'manual', headers: cookie === undefined ? {} : { cookie } }));

/** Posts the page's form for `start`: with a password, or (`password: null`) as a signed-in user's consent. */
async function answerPage(
  start: AuthorizationStart,
  options: { cookie?: string; password?: string | null; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...(options.cookie === undefined ? {} : { cookie: options.cookie }), ...options.headers };
  const form = await readAuthorizeForm(start.url.toString(), headers);
  const body = new URLSearchParams({ ...form.fields, decision: 'allow' });
  if (options.password !== null) {
    body.set('username', 'alice');
    body.set('password', options.password ?? 'wonderland');
  }
  const posted = await answer(
    await fetch(form.action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    }),
  );
  return { form, posted, params: new URL(posted.location ?? 'x:/').searchParams };
}

/** Signs alice in at the SPA client and returns the session cookie and the code's callback parameters. */
async function signIn(extra: Record<string, string | null> = {}) {
  const start = await authorizationUrl(tp, SPA, extra);
  const { posted, params } = await answerPage(start);
  return { start, cookie: sessionCookie(posted), posted, params };
}

async function idTokenClaims(start: AuthorizationStart, params: URLSearchParams) {
  const tokens = await redeemAsSpa(tp, params.get('code') ?? '', start.verifier);
  expect(tokens.status).toBe(200);
  return decodeJwt(String(tokens.body.id_token));
}

const pageHasPassword = (html: string) => html.includes('name="password"');

describe('the login session cookie', () => {
  it('is set at sign-in: HttpOnly, SameSite=Lax, not Secure over http, and its value is in no store key', async () => {
    const { posted, cookie } = await signIn();
    const line = posted.setCookie.find((value) => value.startsWith(`${COOKIE}=`)) ?? '';
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Lax/);
    expect(line).toMatch(/; Path=\//);
    expect(line).toMatch(/; Max-Age=604800/);
    expect(line).not.toMatch(/Secure/);
    const value = cookie.slice(COOKIE.length + 1);
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(writtenKeys.some((key) => key.startsWith('oauth2:login-session:'))).toBe(true);
    expect(writtenKeys.filter((key) => key.includes(value))).toEqual([]);
  });

  it('is Secure and __Host- prefixed when the issuer is https', async () => {
    const { createProvider } = await import('@latchkey/provider');
    const provider = await createProvider({
      issuer: 'https://id.example.test',
      users: [{ sub: 'u-alice', username: 'alice', password: 'wonderland' }],
      clients: TEST_CLIENTS,
    });
    const server = await listen(provider.app.callback());
    try {
      const start = await authorizationUrl({ issuer: server.url }, SPA);
      const { posted } = await answerPage(start);
      const line = posted.setCookie.find((value) => value.startsWith('__Host-latchkey-op-session=')) ?? '';
      expect(line).toMatch(/; Path=\/; .*HttpOnly; SameSite=Lax; Secure$/);
    } finally {
      await server.close();
    }
  });

  it('skips the password for a signed-in user: the page only asks for consent, and auth_time is the sign-in time', async () => {
    const first = await signIn();
    const signedInAt = Math.floor(now / 1000);
    advance(120);
    const start = await authorizationUrl(tp, SPA);
    const { form, posted, params } = await answerPage(start, { cookie: first.cookie, password: null });
    expect(pageHasPassword(form.html)).toBe(false);
    expect(form.html).toContain('Signed in as');
    expect(posted.status).toBe(302);
    expect(params.get('state')).toBe(start.state);
    // No new cookie: the session continues.
    expect(posted.setCookie.filter((value) => value.startsWith(`${COOKIE}=`))).toEqual([]);
    expect((await idTokenClaims(start, params)).auth_time).toBe(signedInAt);
  });

  it('shows the password page without the cookie, or with an unknown one', async () => {
    const start = await authorizationUrl(tp, SPA);
    expect(pageHasPassword((await get(start.url)).body)).toBe(true);
    expect(pageHasPassword((await get(start.url, `${COOKIE}=${'A'.repeat(43)}`)).body)).toBe(true);
  });

  it('gives each sign-in a new session id, and the one before stops working', async () => {
    const first = await signIn();
    const second = await answerPage(await authorizationUrl(tp, SPA), { cookie: first.cookie });
    const renewed = sessionCookie(second.posted);
    expect(renewed).not.toBe(first.cookie);
    const start = await authorizationUrl(tp, SPA, { prompt: 'none' });
    expect(new URL((await get(start.url, first.cookie)).location ?? '').searchParams.get('error')).toBe('login_required');
    expect(new URL((await get(start.url, renewed)).location ?? '').searchParams.get('code')).not.toBeNull();
  });

  it('needs the same session that was shown the consent page: another browser must type the password', async () => {
    const first = await signIn();
    const other = await signIn();
    const start = await authorizationUrl(tp, SPA);
    const form = await readAuthorizeForm(start.url.toString(), { cookie: first.cookie });
    expect(pageHasPassword(form.html)).toBe(false);
    for (const cookie of [undefined, other.cookie]) {
      const response = await fetch(form.action, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie === undefined ? {} : { cookie }) },
        body: new URLSearchParams({ ...form.fields, decision: 'allow' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('location')).toBeNull();
      expect(pageHasPassword(await response.text())).toBe(true);
    }
  });

  it('refuses a cross-site post of the sign-in form (login CSRF) and sets no cookie', async () => {
    const start = await authorizationUrl(tp, SPA);
    const { posted } = await answerPage(start, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(posted.status).toBe(403);
    expect(posted.location).toBeNull();
    expect(posted.setCookie).toEqual([]);
  });
});

describe('prompt (OpenID Connect Core section 3.1.2.1)', () => {
  const promptNone = async (
    cookie: string | undefined,
    client: { clientId: string; redirectUri: string } = SPA,
    extra: Record<string, string> = {},
  ) => {
    const start = await authorizationUrl(tp, client, { prompt: 'none', ...extra });
    const response = await get(start.url, cookie);
    expect(response.status).toBe(302);
    expect(pageHasPassword(response.body)).toBe(false);
    return { start, params: new URL(response.location ?? '').searchParams };
  };

  it('prompt=none answers with a code when signed in and consented, without any page', async () => {
    const { cookie } = await signIn();
    const { start, params } = await promptNone(cookie);
    expect(params.get('error')).toBeNull();
    expect(params.get('state')).toBe(start.state);
    expect(params.get('iss')).toBe(tp.issuer);
    const claims = await idTokenClaims(start, params);
    expect(claims.nonce).toBe(start.nonce);
    expect(claims.sub).toBe('u-alice');
  });

  it('prompt=none answers login_required without a session (section 3.1.2.6)', async () => {
    const { params, start } = await promptNone(undefined);
    expect(params.get('error')).toBe('login_required');
    expect(params.get('state')).toBe(start.state);
  });

  it('prompt=none answers consent_required for a client or a scope the user has not allowed in this session', async () => {
    const { cookie } = await signIn({ scope: 'openid' });
    expect((await promptNone(cookie, SPA, { scope: 'openid email' })).params.get('error')).toBe('consent_required');
    expect((await promptNone(cookie, WEB)).params.get('error')).toBe('consent_required');
    expect((await promptNone(cookie, SPA, { scope: 'openid' })).params.get('code')).not.toBeNull();
  });

  it('refuses prompt=none combined with another value', async () => {
    const { cookie } = await signIn();
    expect((await promptNone(cookie, SPA, { prompt: 'none login' })).params.get('error')).toBe('invalid_request');
  });

  it('prompt=login asks for the password again and starts a new session with a new auth_time', async () => {
    const first = await signIn();
    advance(300);
    const start = await authorizationUrl(tp, SPA, { prompt: 'login' });
    const withoutPassword = await answerPage(start, { cookie: first.cookie, password: null });
    expect(pageHasPassword(withoutPassword.form.html)).toBe(true);
    expect(withoutPassword.posted.status).toBe(200);
    expect(withoutPassword.posted.location).toBeNull();
    const again = await answerPage(start, { cookie: first.cookie });
    expect(sessionCookie(again.posted)).not.toBe(first.cookie);
    expect((await idTokenClaims(start, again.params)).auth_time).toBe(Math.floor(now / 1000));
  });
});

describe('max_age', () => {
  it('asks for the password when the sign-in is older, and not when it is recent enough; auth_time is in the ID token', async () => {
    const { cookie } = await signIn();
    const signedInAt = Math.floor(now / 1000);
    advance(100);
    const recent = await authorizationUrl(tp, SPA, { max_age: '600' });
    const consentOnly = await answerPage(recent, { cookie, password: null });
    expect(pageHasPassword(consentOnly.form.html)).toBe(false);
    expect((await idTokenClaims(recent, consentOnly.params)).auth_time).toBe(signedInAt);

    const old = await authorizationUrl(tp, SPA, { max_age: '60' });
    expect(pageHasPassword((await get(old.url, cookie)).body)).toBe(true);
    const none = await authorizationUrl(tp, SPA, { max_age: '60', prompt: 'none' });
    expect(new URL((await get(none.url, cookie)).location ?? '').searchParams.get('error')).toBe('login_required');
    const signedInAgain = await answerPage(old, { cookie });
    expect((await idTokenClaims(old, signedInAgain.params)).auth_time).toBe(Math.floor(now / 1000));
  });

  it('refuses a max_age that is not a number of seconds', async () => {
    const start = await authorizationUrl(tp, SPA, { max_age: '-1' });
    expect(new URL((await get(start.url)).location ?? '').searchParams.get('error')).toBe('invalid_request');
  });
});

describe('lifetimes', () => {
  const alive = async (cookie: string) => {
    const start = await authorizationUrl(tp, SPA, { prompt: 'none' });
    return new URL((await get(start.url, cookie)).location ?? '').searchParams.get('code') !== null;
  };

  it('ends after a day without use', async () => {
    const { cookie } = await signIn();
    advance(24 * 3600 + 1);
    expect(await alive(cookie)).toBe(false);
  });

  it('lives on while used, but never past seven days from the sign-in', async () => {
    const { cookie } = await signIn();
    for (let day = 1; day < 7; day += 1) {
      advance(20 * 3600);
      expect(await alive(cookie)).toBe(true);
    }
    advance(24 * 3600);
    expect(await alive(cookie)).toBe(false);
  });
});

describe('POST at the authorization endpoint (OpenID Connect Core section 3.1.2.1)', () => {
  const postRequest = async (start: AuthorizationStart, cookie?: string) =>
    answer(
      await fetch(`${tp.issuer}/oauth/authorize`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie === undefined ? {} : { cookie }) },
        body: start.url.searchParams.toString(),
      }),
    );

  it('handles a form-encoded authorization request like the GET, and its page completes the flow', async () => {
    const start = await authorizationUrl(tp, SPA);
    const page = await postRequest(start);
    expect(page.status).toBe(200);
    expect(pageHasPassword(page.body)).toBe(true);
    const transaction = /name="transaction" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const posted = await answer(
      await fetch(`${tp.issuer}/oauth/authorize`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ transaction, username: 'alice', password: 'wonderland', decision: 'allow' }),
      }),
    );
    const params = new URL(posted.location ?? '').searchParams;
    expect(params.get('state')).toBe(start.state);
    expect((await idTokenClaims(start, params)).nonce).toBe(start.nonce);
  });

  it('answers prompt=none by POST with a code for a signed-in user', async () => {
    const { cookie } = await signIn();
    const start = await authorizationUrl(tp, SPA, { prompt: 'none' });
    const response = await postRequest(start, cookie);
    expect(new URL(response.location ?? '').searchParams.get('code')).not.toBeNull();
  });

  it('redirects errors back as the GET does, and renders a page for an unknown client', async () => {
    const badScope = await postRequest(await authorizationUrl(tp, SPA, { scope: 'openid admin' }));
    expect(badScope.status).toBe(302);
    expect(new URL(badScope.location ?? '').searchParams.get('error')).toBe('invalid_scope');
    const unknown = await postRequest(await authorizationUrl(tp, SPA, { client_id: 'nobody' }));
    expect(unknown.status).toBe(400);
    expect(unknown.location).toBeNull();
  });

  it('refuses a body that is not form-encoded with a page', async () => {
    const response = await fetch(`${tp.issuer}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });
});

describe('end-session ends the login session (RP-Initiated Logout 1.0)', () => {
  const promptNoneError = async (cookie: string) => {
    const start = await authorizationUrl(tp, SPA, { prompt: 'none' });
    return new URL((await get(start.url, cookie)).location ?? '').searchParams.get('error');
  };

  async function webIdToken(): Promise<string> {
    const start = await authorizationUrl(tp, WEB);
    const { params } = await answerPage(start);
    const response = await postForm(
      `${tp.issuer}/oauth/token`,
      { grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: WEB.redirectUri, code_verifier: start.verifier },
      { authorization: basic(WEB.clientId, WEB.clientSecret) },
    );
    return String(response.body.id_token);
  }

  it('GET ends it, clears the cookie and still redirects to the registered URI', async () => {
    const { cookie } = await signIn();
    const hint = await webIdToken();
    const url = `${tp.issuer}/oauth/logout?id_token_hint=${hint}&post_logout_redirect_uri=${encodeURIComponent('https://app.example.test/bye')}&state=s1`;
    const response = await get(url, cookie);
    expect(response.status).toBe(302);
    expect(response.location).toBe('https://app.example.test/bye?state=s1');
    expect(response.setCookie.some((line) => line.startsWith(`${COOKIE}=;`) && line.includes('Max-Age=0'))).toBe(true);
    expect(await promptNoneError(cookie)).toBe('login_required');
  });

  it('POST with form parameters ends it and redirects (section 2: GET and POST)', async () => {
    const { cookie } = await signIn();
    const hint = await webIdToken();
    const response = await answer(
      await fetch(`${tp.issuer}/oauth/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: 'https://app.example.test/bye', state: 's2' }),
      }),
    );
    expect(response.status).toBe(302);
    expect(response.location).toBe('https://app.example.test/bye?state=s2');
    expect(await promptNoneError(cookie)).toBe('login_required');
  });

  it("asks a cross-site POST, which carries no SameSite=Lax cookie, to confirm from the provider's own page", async () => {
    const { cookie } = await signIn();
    const form = { client_id: WEB.clientId, post_logout_redirect_uri: 'https://app.example.test/bye', state: 's3' };
    const crossSite = await answer(
      await fetch(`${tp.issuer}/oauth/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
        body: new URLSearchParams(form),
      }),
    );
    expect(crossSite.status).toBe(200);
    expect(crossSite.location).toBeNull();
    expect(crossSite.body).toContain('<form method="post" action="/oauth/logout">');
    expect(await promptNoneError(cookie)).toBeNull();
    const fields = Object.fromEntries([...crossSite.body.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((match) => [match[1], match[2]]));
    expect(fields).toEqual(form);
    const confirmed = await answer(
      await fetch(`${tp.issuer}/oauth/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', cookie },
        body: new URLSearchParams(fields),
      }),
    );
    expect(confirmed.location).toBe('https://app.example.test/bye?state=s3');
    expect(await promptNoneError(cookie)).toBe('login_required');
  });

  it('ends nothing for a forged id_token_hint', async () => {
    const { cookie } = await signIn();
    const response = await get(`${tp.issuer}/oauth/logout?id_token_hint=a.b.c`, cookie);
    expect(response.status).toBe(400);
    expect(await promptNoneError(cookie)).toBeNull();
  });
});
