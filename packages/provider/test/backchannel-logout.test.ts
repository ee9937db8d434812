import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProviderEvent } from '@latchkey/provider';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readAuthorizeForm } from '../../../test-support/authorize-form.js';
import { type Listening, listen } from '../../../test-support/listen.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { authorizationUrl, basic, postForm, type RelyingParty, relyingParty } from './support.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const COOKIE = 'latchkey-op-session';

interface Delivery {
  path: string;
  contentType: string | undefined;
  logoutToken: string;
}

/** A relying party's back-channel endpoint: records every POST; `/hang` never answers, `/fail` answers 500. */
const deliveries: Delivery[] = [];
const hanging: ServerResponse[] = [];
let receiver: Listening;

async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  deliveries.push({ path: req.url ?? '', contentType: req.headers['content-type'], logoutToken: form.get('logout_token') ?? '' });
  if (req.url === '/hang') {
    hanging.push(res);
    return;
  }
  res.statusCode = req.url === '/fail' ? 500 : 200;
  res.end();
}

const A = relyingParty('rp-a');
const B = relyingParty('rp-b');
const IDLE = relyingParty('rp-idle');
const QUIET = relyingParty('rp-quiet');
const HANG = relyingParty('rp-hang');
const FAIL = relyingParty('rp-fail');

function clientInput(client: RelyingParty, path: string | null, sessionRequired = false) {
  return {
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    redirectUris: [client.redirectUri],
    postLogoutRedirectUris: [`https://${client.clientId}.example.test/bye`],
    ...(path === null ? {} : { backchannelLogoutUri: `${receiver.url}${path}` }),
    ...(sessionRequired ? { backchannelLogoutSessionRequired: true } : {}),
  };
}

let tp: TestProvider;
let slow: TestProvider;
beforeAll(async () => {
  receiver = await listen((req, res) => void receive(req, res));
  tp = await startTestProvider({
    clients: [clientInput(A, '/a'), clientInput(B, '/b', true), clientInput(IDLE, '/idle'), clientInput(QUIET, null)],
  });
  slow = await startTestProvider({
    clients: [clientInput(A, '/a'), clientInput(HANG, '/hang'), clientInput(FAIL, '/fail')],
    backchannelLogout: { timeoutMs: 300 },
  });
});
afterAll(async () => {
  for (const res of hanging) res.destroy();
  await Promise.all([tp.close(), slow.close(), receiver.close()]);
});
beforeEach(() => {
  deliveries.length = 0;
});

/** Signs in at `client` (with the password, or as the signed-in user of `cookie`) and redeems the code. */
async function signIn(provider: TestProvider, client: RelyingParty, cookie?: string) {
  const start = await authorizationUrl(provider, client);
  const headers: Record<string, string> = cookie === undefined ? {} : { cookie };
  const form = await readAuthorizeForm(start.url.toString(), headers);
  const body = new URLSearchParams({ ...form.fields, decision: 'allow' });
  if (cookie === undefined) {
    body.set('username', 'alice');
    body.set('password', 'wonderland');
  }
  const posted = await fetch(form.action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  const line = posted.headers.getSetCookie().find((value) => value.startsWith(`${COOKIE}=`));
  const code = new URL(posted.headers.get('location') ?? 'x:/').searchParams.get('code') ?? '';
  const tokens = await postForm(
    `${provider.issuer}/oauth/token`,
    { grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: start.verifier },
    { authorization: basic(client.clientId, client.clientSecret) },
  );
  expect(tokens.status).toBe(200);
  return {
    cookie: cookie ?? line?.split(';')[0] ?? '',
    idToken: String(tokens.body.id_token),
    refreshToken: String(tokens.body.refresh_token),
  };
}

async function endSession(provider: TestProvider, client: RelyingParty, idToken: string, cookie: string) {
  const url = new URL(`${provider.issuer}/oauth/logout`);
  url.searchParams.set('id_token_hint', idToken);
  url.searchParams.set('post_logout_redirect_uri', `https://${client.clientId}.example.test/bye`);
  const response = await fetch(url, { redirect: 'manual', headers: { cookie } });
  await response.arrayBuffer();
  return response;
}

const backchannelEvents = (provider: TestProvider) =>
  provider.events.filter((event): event is Extract<ProviderEvent, { type: 'backchannel_logout' }> => event.type === 'backchannel_logout');

describe('Back-Channel Logout 1.0: the logout token', () => {
  it('is POSTed, once the end-session redirect is sent, to each client that got tokens in the session', async () => {
    const a = await signIn(tp, A);
    const b = await signIn(tp, B, a.cookie);
    const sid = decodeJwt(a.idToken).sid;
    expect(typeof sid).toBe('string');
    expect(decodeJwt(b.idToken).sid).toBe(sid);

    const response = await endSession(tp, A, a.idToken, a.cookie);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://rp-a.example.test/bye');
    // rp-idle registered a URI but got nothing in this session; rp-quiet got tokens but has no URI.
    expect(deliveries.map((delivery) => delivery.path).sort()).toEqual(['/a', '/b']);

    const jwks = createRemoteJWKSet(new URL(`${tp.issuer}/jwks`));
    const jtis = new Set<unknown>();
    for (const [delivery, client] of [
      [deliveries.find((d) => d.path === '/a'), A],
      [deliveries.find((d) => d.path === '/b'), B],
    ] as const) {
      expect(delivery?.contentType).toBe('application/x-www-form-urlencoded');
      const { payload, protectedHeader } = await jwtVerify(delivery?.logoutToken ?? '', jwks, {
        issuer: tp.issuer,
        audience: client.clientId,
        typ: 'logout+jwt',
        algorithms: ['RS256'],
      });
      expect(protectedHeader.typ).toBe('logout+jwt');
      expect(payload.sid).toBe(sid);
      expect(payload.sub).toBe(decodeJwt(a.idToken).sub);
      expect(payload.events).toEqual({ [EVENT]: {} });
      expect(payload).not.toHaveProperty('nonce');
      expect(typeof payload.iat).toBe('number');
      expect(Number(payload.exp)).toBeGreaterThan(Number(payload.iat));
      expect(Number(payload.exp) - Number(payload.iat)).toBeLessThanOrEqual(300);
      jtis.add(payload.jti);
    }
    expect(jtis.size).toBe(2);
    expect([...jtis].every((jti) => typeof jti === 'string' && jti.length >= 16)).toBe(true);
  });

  it('is not sent twice: ending the same session again tells no one', async () => {
    const a = await signIn(tp, A);
    await endSession(tp, A, a.idToken, a.cookie);
    expect(deliveries).toHaveLength(1);
    await endSession(tp, A, a.idToken, a.cookie);
    expect(deliveries).toHaveLength(1);
  });

  it('is sent once when two end-session requests for the session are in flight at once', async () => {
    const a = await signIn(tp, A);
    const answers = await Promise.all([endSession(tp, A, a.idToken, a.cookie), endSession(tp, A, a.idToken, a.cookie)]);
    expect(answers.map((answer) => answer.status)).toEqual([302, 302]);
    expect(deliveries).toHaveLength(1);
  });

  it('goes out when a new password sign-in in the same browser ends the previous session', async () => {
    const first = await signIn(tp, A);
    const oldSid = decodeJwt(first.idToken).sid;
    const start = await authorizationUrl(tp, B, { prompt: 'login' });
    const form = await readAuthorizeForm(start.url.toString(), { cookie: first.cookie });
    const posted = await fetch(form.action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: first.cookie },
      body: new URLSearchParams({ ...form.fields, decision: 'allow', username: 'alice', password: 'wonderland' }),
    });
    expect(posted.status).toBe(302);
    expect(deliveries.map((delivery) => delivery.path)).toEqual(['/a']);
    expect(decodeJwt(deliveries[0]?.logoutToken ?? '').sid).toBe(oldSid);
  });

  it('keeps the sid in ID tokens from a refresh', async () => {
    const b = await signIn(tp, B);
    const refreshed = await postForm(
      `${tp.issuer}/oauth/token`,
      { grant_type: 'refresh_token', refresh_token: b.refreshToken },
      { authorization: basic(B.clientId, B.clientSecret) },
    );
    expect(refreshed.status).toBe(200);
    const sid = decodeJwt(b.idToken).sid;
    expect(typeof sid).toBe('string');
    expect(decodeJwt(String(refreshed.body.id_token)).sid).toBe(sid);
    // Each login session has its own sid.
    expect(decodeJwt((await signIn(tp, B)).idToken).sid).not.toBe(sid);
  });

  it('to a receiver that hangs or answers 500 holds up neither the end-session answer nor the other receivers', async () => {
    const a = await signIn(slow, A);
    await signIn(slow, HANG, a.cookie);
    await signIn(slow, FAIL, a.cookie);
    const before = backchannelEvents(slow).length;
    // The hanging receiver never answers: without the bound, this request would never complete.
    const response = await endSession(slow, A, a.idToken, a.cookie);
    expect(response.status).toBe(302);
    expect(deliveries.map((delivery) => delivery.path).sort()).toEqual(['/a', '/fail', '/hang']);
    const outcomes = backchannelEvents(slow).slice(before);
    expect(outcomes).toHaveLength(3);
    expect(outcomes.find((event) => event.clientId === A.clientId)).toMatchObject({ delivered: true, status: 200 });
    expect(outcomes.find((event) => event.clientId === FAIL.clientId)).toMatchObject({ delivered: false, status: 500 });
    expect(outcomes.find((event) => event.clientId === HANG.clientId)).toMatchObject({ delivered: false, status: null });
    // No event carries a token.
    expect(JSON.stringify(outcomes)).not.toMatch(/eyJ/);
  });
});

describe('Back-Channel Logout 1.0: client metadata and discovery', () => {
  it('advertises backchannel_logout_supported, backchannel_logout_session_supported and the sid claim', async () => {
    const metadata = (await (await fetch(`${tp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata.backchannel_logout_supported).toBe(true);
    expect(metadata.backchannel_logout_session_supported).toBe(true);
    expect(metadata.claims_supported).toContain('sid');
  });

  it('keeps the registered URI and session requirement on the client record', async () => {
    const record = await tp.provider.context.clients.get(B.clientId);
    expect(record?.backchannelLogoutUri).toBe(`${receiver.url}/b`);
    expect(record?.backchannelLogoutSessionRequired).toBe(true);
  });

  it.each([
    ['http on a public host', 'http://rp.example.test/logout'],
    ['a fragment', 'https://rp.example.test/logout#x'],
    ['a relative URI', '/logout'],
    ['credentials in the URI', 'https://user:pw@rp.example.test/logout'],
    ['another scheme', 'javascript:alert(1)'],
  ])('refuses a backchannelLogoutUri with %s (configuration_error naming the field)', async (_case, uri) => {
    const error = await tp.provider
      .registerClient({ redirectUris: ['https://rp.example.test/cb'], backchannelLogoutUri: uri })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'configuration_error', option: 'backchannelLogoutUri' });
  });

  it('accepts https anywhere and http on loopback', async () => {
    for (const uri of [
      'https://rp.example.test/logout?x=1',
      'http://127.0.0.1:9/logout',
      'http://localhost/logout',
      'http://[::1]:8080/l',
    ]) {
      const record = await tp.provider.registerClient({ redirectUris: ['https://rp.example.test/cb'], backchannelLogoutUri: uri });
      expect(record.backchannelLogoutUri).toBe(uri);
    }
  });

  it('refuses backchannelLogoutSessionRequired without a URI, or not a boolean', async () => {
    const without = await tp.provider
      .registerClient({ redirectUris: ['https://rp.example.test/cb'], backchannelLogoutSessionRequired: true })
      .catch((e) => e);
    expect(without).toMatchObject({ code: 'configuration_error', option: 'backchannelLogoutSessionRequired' });
  });

  it('refuses a bad backchannelLogoutUri at the registration API with invalid_request and registers nothing', async () => {
    const admin = await startTestProvider({ adminToken: 'admin-token-0123456789abcdef' });
    try {
      const register = (body: unknown) =>
        fetch(`${admin.issuer}/clients`, {
          method: 'POST',
          headers: { authorization: 'Bearer admin-token-0123456789abcdef', 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const bad = await register({
        clientId: 'bad-rp',
        redirectUris: ['https://rp.example.test/cb'],
        backchannelLogoutUri: 'http://rp.example.test/l',
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toBe('invalid_request');
      expect(await admin.provider.context.clients.get('bad-rp')).toBeUndefined();
      const notBoolean = await register({ redirectUris: ['https://rp.example.test/cb'], backchannelLogoutSessionRequired: 'yes' });
      expect(notBoolean.status).toBe(400);
      const good = await register({
        redirectUris: ['https://rp.example.test/cb'],
        backchannelLogoutUri: 'https://rp.example.test/l',
        backchannelLogoutSessionRequired: true,
      });
      expect(good.status).toBe(201);
      expect(await good.json()).toMatchObject({
        backchannelLogoutUri: 'https://rp.example.test/l',
        backchannelLogoutSessionRequired: true,
      });
    } finally {
      await admin.close();
    }
  });

  it('takes an optional back-channel logout URI on the registration page, refusing a bad one on the page', async () => {
    const pages = await startTestProvider({ features: { clientRegistrationPage: true } });
    try {
      const register = (uri: string) =>
        fetch(`${pages.issuer}/clients/new`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
          body: new URLSearchParams({
            name: 'RP',
            redirect_uris: 'https://rp.example.test/cb',
            type: 'confidential',
            backchannel_logout_uri: uri,
          }),
        });
      const form = await (await fetch(`${pages.issuer}/clients/new`)).text();
      expect(form).toContain('name="backchannel_logout_uri"');
      const bad = await register('http://rp.example.test/logout');
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('backchannelLogoutUri');
      const good = await register('https://rp.example.test/logout');
      expect(good.status).toBe(201);
      const clientId = /id="client_id">([^<]+)</.exec(await good.text())?.[1] ?? '';
      expect((await pages.provider.context.clients.get(clientId))?.backchannelLogoutUri).toBe('https://rp.example.test/logout');
    } finally {
      await pages.close();
    }
  });

  it('refuses a non-positive backchannelLogout.timeoutMs when the provider is created', async () => {
    const error = await startTestProvider({ backchannelLogout: { timeoutMs: 0 } }).catch((e) => e);
    expect(error).toMatchObject({ code: 'configuration_error', option: 'backchannelLogout.timeoutMs' });
  });
});

it('logout tokens are not ID tokens: the header type differs', async () => {
  const a = await signIn(tp, A);
  expect(decodeProtectedHeader(a.idToken).typ).toBe('JWT');
  await endSession(tp, A, a.idToken, a.cookie);
  expect(decodeProtectedHeader(deliveries[0]?.logoutToken ?? '').typ).toBe('logout+jwt');
});
