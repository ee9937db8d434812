import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BFF_ERROR_HEADER } from '@latchkey/common';
import { listen, type Listening } from '../../../test-support/listen.js';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type TestBff } from './harness.js';
import { registerOAuth2Client } from './provider-clients.js';

/**
 * ID tokens from the token endpoint are verified against the provider's JWKS (OpenID Connect Core section
 * 3.1.3.7 makes that optional over TLS; the BFF checks it always, since it also runs over plain HTTP and
 * hands the claims to onLogin as the user). A stand-in token endpoint in front of the real provider passes
 * its answers on, or swaps the ID token for a forged one: re-signed with another key under the provider's
 * `kid`, or with a claim changed under the provider's own signature.
 */

type Tamper = 'none' | 'other-key' | 'altered-claims';

const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const parse = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

function forge(idToken: string, tamper: Tamper): string {
  const [header = '', payload = '', signature = ''] = idToken.split('.');
  if (tamper === 'other-key') {
    return `${header}.${payload}.${sign('sha256', Buffer.from(`${header}.${payload}`), otherKey).toString('base64url')}`;
  }
  if (tamper === 'altered-claims')
    return `${header}.${b64({ ...parse(payload), sub: 'mallory', email: 'mallory@example.test' })}.${signature}`;
  return idToken;
}

/** Forwards token requests to the provider and, when told to, swaps the answer's id_token for a forged one. */
async function startTokenFront(target: string): Promise<{ server: Listening; state: { tamper: Tamper; forged: number } }> {
  const state = { tamper: 'none' as Tamper, forged: 0 };
  const server = await listen(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (req.headers.authorization !== undefined) headers.authorization = req.headers.authorization;
    const answer = await fetch(target, { method: 'POST', headers, body: Buffer.concat(chunks) });
    const body = (await answer.json()) as Record<string, unknown>;
    if (typeof body.id_token === 'string' && state.tamper !== 'none') {
      body.id_token = forge(body.id_token, state.tamper);
      state.forged += 1;
    }
    res.statusCode = answer.status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  return { server, state };
}

describe('ID token signatures', () => {
  let provider: TestProvider;
  let front: { tamper: Tamper; forged: number };
  let frontServer: Listening;
  let bff: TestBff;
  let clockSkewMs = 0;

  beforeAll(async () => {
    provider = await startTestProvider();
    ({ server: frontServer, state: front } = await startTokenFront(`${provider.url}/oauth/token`));
    bff = await startBff({
      registry: { now: () => Date.now() + clockSkewMs },
      async register(registry, bffUrl) {
        await registerOAuth2Client(provider, registry, bffUrl, 'latchkey', {
          config: { accessTokenUrl: `${frontServer.url}/oauth/token`, clientKwargs: { scope: 'openid profile email offline_access' } },
        });
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await frontServer.close();
    await provider.close();
  });

  it("accepts the provider's own ID tokens, checked against its JWKS", async () => {
    front.tamper = 'none';
    const browser = bff.browser();
    const { location } = await browser.login('latchkey', { returnTo: '/home' });
    expect(location).toBe('/home');
    expect((await browser.session()).user).toMatchObject({ sub: ALICE.sub });
  });

  for (const tamper of ['other-key', 'altered-claims'] as const) {
    it(`refuses a login whose ID token is forged (${tamper})`, async () => {
      front.tamper = tamper;
      const forgedBefore = front.forged;
      const browser = bff.browser();
      const { location } = await browser.login('latchkey', { returnTo: '/home' });
      expect(front.forged).toBe(forgedBefore + 1);
      expect(new URL(location as string, bff.url).searchParams.get('latchkey_error')).toBe('login_failed');
      const session = await browser.session();
      expect(session.authenticated).toBe(false);
      expect(session.user).toBeNull();
    });
  }

  it('refuses a refresh whose ID token is forged', async () => {
    front.tamper = 'none';
    const browser = bff.browser();
    await browser.login('latchkey');
    expect((await browser.fetch('/bff/api/latchkey/me', { csrf: true })).status).toBe(200);

    front.tamper = 'other-key';
    const forgedBefore = front.forged;
    clockSkewMs += 2 * 3600 * 1000;
    const refused = await browser.fetch('/bff/api/latchkey/me', { csrf: true });
    expect(front.forged).toBe(forgedBefore + 1);
    expect(refused.status).toBe(401);
    expect(refused.headers.get(BFF_ERROR_HEADER)).toBe('refresh_failed');

    // The provider's own answer to the next refresh is accepted again.
    front.tamper = 'none';
    clockSkewMs += 2 * 3600 * 1000;
    await browser.login('latchkey');
    expect((await browser.fetch('/bff/api/latchkey/me', { csrf: true })).status).toBe(200);
  });
});
