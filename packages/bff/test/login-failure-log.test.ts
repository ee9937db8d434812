import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../../test-support/listen.js';
import { startBff, type TestBff } from './harness.js';
import { loginAtStandIn, startStandIn, type Answer, type StandIn } from './presets/stand-in.js';

const SECRET = 'log-test-client-secret-0123456789';
const ACCESS_TOKEN = 'log-test-access-token-abcdef';
const json = (value: unknown, status = 200): Answer => ({ json: value, status });

/**
 * Every `login failed` log line names its cause (the provider's HTTP status, its error code, or the check
 * that failed) so an operator can tell why, and carries no secret, token or code.
 */
describe('login failed log lines', () => {
  let standIn: StandIn;
  let oauth1: Listening;
  let closed: Listening;
  let bff: TestBff;

  beforeAll(async () => {
    standIn = await startStandIn({
      clientId: 'log-client',
      clientSecret: SECRET,
      authorizePath: '/authorize',
      tokenPath: '/token',
      clientAuth: 'client_secret_basic',
      token: () => json({ access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600 }),
      refuse: (reason) => json({ error: reason, error_description: `refused ${SECRET}` }, 400),
      accessToken: ACCESS_TOKEN,
      api: {},
    });
    // An OAuth 1 temporary-credential endpoint refusing the signature, form-encoded as Authlib answers.
    oauth1 = await listen((req, res) => {
      req.resume();
      res.statusCode = 401;
      res.setHeader('content-type', 'application/x-www-form-urlencoded');
      res.end(`error=invalid_signature&error_description=${encodeURIComponent(`bad ${SECRET}`)}`);
    });
    closed = await listen((_req, res) => res.end());
    const closedUrl = closed.url;
    await closed.close();
    bff = await startBff({
      register(registry) {
        const endpoints = { authorizeUrl: `${standIn.url}/authorize`, accessTokenUrl: `${standIn.url}/token` };
        registry.register('refused', { clientId: 'log-client', clientSecret: SECRET, ...endpoints });
        registry.register('oauth1', {
          clientId: 'consumer',
          clientSecret: SECRET,
          requestTokenUrl: `${oauth1.url}/initiate`,
          authorizeUrl: `${oauth1.url}/authorize`,
          accessTokenUrl: `${oauth1.url}/token`,
        });
        registry.register('unreachable', {
          clientId: 'consumer',
          clientSecret: SECRET,
          requestTokenUrl: `${closedUrl}/initiate`,
          authorizeUrl: `${closedUrl}/authorize`,
          accessTokenUrl: `${closedUrl}/token`,
        });
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await standIn?.close();
    await oauth1?.close();
  });

  const lastFailure = (provider: string) =>
    bff.logs.filter((line) => line.message === 'login failed' && line.fields?.provider === provider).at(-1)?.fields;

  it("names the token endpoint's status and error code when it refuses the code", async () => {
    standIn.spoilCodes(true);
    try {
      const { location } = await loginAtStandIn(bff.browser(), 'refused');
      expect(location).toBe('/?latchkey_error=login_failed&latchkey_provider=refused');
    } finally {
      standIn.spoilCodes(false);
    }
    expect(lastFailure('refused')).toMatchObject({
      code: 'login_failed',
      reason: 'OAUTH_RESPONSE_BODY_ERROR',
      upstreamStatus: 400,
      providerError: 'invalid_grant',
    });
  });

  it("names the OAuth 1 endpoint's status and error code when it refuses the signature", async () => {
    const response = await bff.browser().fetch('/bff/login/oauth1');
    expect(response.headers.get('location')).toBe('/?latchkey_error=login_failed&latchkey_provider=oauth1');
    expect(lastFailure('oauth1')).toMatchObject({
      code: 'login_failed',
      reason: 'credential_request_refused',
      upstreamStatus: 401,
      providerError: 'invalid_signature',
    });
  });

  it('names the network error when the provider cannot be reached', async () => {
    const response = await bff.browser().fetch('/bff/login/unreachable');
    expect(response.headers.get('location')).toBe('/?latchkey_error=login_failed&latchkey_provider=unreachable');
    expect(lastFailure('unreachable')).toMatchObject({ code: 'login_failed', reason: 'ECONNREFUSED' });
  });

  it('names the failed check of the BFF itself (an unknown state) by its code', async () => {
    const response = await bff.browser().fetch('/bff/callback/refused?code=x&state=never-issued');
    expect(response.headers.get('location')).toBe('/?latchkey_error=state_mismatch&latchkey_provider=refused');
    expect(lastFailure('refused')).toMatchObject({ code: 'state_mismatch', reason: 'state_mismatch' });
  });

  it('gives every login failed line a reason and never a secret, token or description', () => {
    const failures = bff.logs.filter((line) => line.message === 'login failed');
    expect(failures.length).toBeGreaterThanOrEqual(4);
    for (const line of failures) expect(typeof line.fields?.reason).toBe('string');
    const everything = JSON.stringify(bff.logs);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(ACCESS_TOKEN);
    expect(everything).not.toContain('refused ');
  });
});
