import { generateKeyPairSync } from 'node:crypto';
import { buildAuthorizationHeader, hmacSha256, parseAuthorizationHeader } from '@latchkey/oauth1';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { submitAuthorizeForm } from '../../../../test-support/authorize-form.js';
import { createClientRegistry, revokeOAuth1Token, type ClientRecord } from '@latchkey/provider';
import {
  CALLBACK,
  ECHO_PATH,
  RESOURCE_PATH,
  authorize,
  createConsumer,
  credentialsOf,
  runFlow,
  send,
  startOAuth1Provider,
  type Consumer,
  type OAuth1Answer,
  type OAuth1TestProvider,
} from './support.js';

/** A refused request: its status, its `oauth_problem`, the OAuth challenge, and no credentials. */
function expectProblem(provider: OAuth1TestProvider, answer: OAuth1Answer, status: number, problem: string) {
  expect({ status: answer.status, problem: answer.form.get('oauth_problem') }).toEqual({ status, problem });
  expect(answer.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
  expect(answer.headers.get('www-authenticate')).toBe(`OAuth realm="${provider.url}"`);
  expect(answer.form.get('oauth_problem_advice')).toBeTruthy();
  expect(answer.form.has('oauth_token')).toBe(false);
  expect(answer.form.has('oauth_token_secret')).toBe(false);
}

describe('OAuth 1.0a provider refuses attacks, issuing nothing', () => {
  let provider: OAuth1TestProvider;
  let client: ClientRecord;
  let consumer: Consumer;
  let issuedBefore: number;

  beforeAll(async () => {
    provider = await startOAuth1Provider({});
  });
  afterAll(() => provider.close());
  beforeEach(async () => {
    client = await provider.registerClient();
    consumer = createConsumer(provider, { client });
    issuedBefore = provider.issuedCount();
  });
  const issuedSince = () => provider.issuedCount() - issuedBefore;

  it('a replayed nonce is nonce_used, at the initiate endpoint and at the resource', async () => {
    const request = consumer.sign({ path: '/oauth1/initiate', oauthParams: { oauth_callback: CALLBACK } });
    expect((await send(request)).status).toBe(200);
    expectProblem(provider, await send(request), 401, 'nonce_used');
    expect(issuedSince()).toBe(1);

    const { token } = await runFlow(provider, consumer);
    const call = consumer.sign({ path: RESOURCE_PATH, method: 'GET', credentials: token });
    expect((await send(call)).status).toBe(200);
    expectProblem(provider, await send(call), 401, 'nonce_used');
  });

  it('a nonce stays spent while its timestamp is acceptable, even one ahead of the server clock', async () => {
    // Regression: a nonce kept for only the window after it was seen could be replayed while a
    // timestamp ahead of the server clock was still inside the window.
    const ahead = provider.clock.seconds() + 290;
    const request = consumer.sign({ path: '/oauth1/initiate', oauthParams: { oauth_callback: CALLBACK }, timestamp: ahead });
    expect((await send(request)).status).toBe(200);
    provider.clock.advance(580);
    expectProblem(provider, await send(request), 401, 'nonce_used');
    expect(issuedSince()).toBe(1);
  });

  it('a timestamp outside the window is timestamp_refused, with the acceptable range', async () => {
    const now = provider.clock.seconds();
    for (const timestamp of [now - 301, now + 301]) {
      const answer = await consumer.initiate(CALLBACK, { timestamp });
      expectProblem(provider, answer, 401, 'timestamp_refused');
      expect(answer.form.get('oauth_acceptable_timestamps')).toBe(`${now - 300}-${now + 300}`);
    }
    expect((await consumer.initiate(CALLBACK, { timestamp: now - 300 })).status).toBe(200);
    expect(issuedSince()).toBe(1);
  });

  it('a wrong consumer secret is signature_invalid', async () => {
    const forger = createConsumer(provider, { client, consumerSecret: 'not-the-secret' });
    expectProblem(provider, await forger.initiate(), 401, 'signature_invalid');
    expect(issuedSince()).toBe(0);
  });

  it('an unknown consumer key is consumer_key_unknown', async () => {
    const stranger = createConsumer(provider, { client: { ...client, clientId: 'nobody' } });
    expectProblem(provider, await stranger.initiate(), 401, 'consumer_key_unknown');
    expect(issuedSince()).toBe(0);
  });

  it('a client without OAuth 1 settings is consumer_key_rejected', async () => {
    const oauth2Only = await createClientRegistry(provider.storage).register({ redirectUris: [CALLBACK] });
    const stranger = createConsumer(provider, { client: oauth2Only });
    expectProblem(provider, await stranger.initiate(), 401, 'consumer_key_rejected');
    expect(issuedSince()).toBe(0);
  });

  it('a wrong token secret is signature_invalid, at the token endpoint and at the resource', async () => {
    const temporary = credentialsOf(await consumer.initiate());
    const verifier = (await authorize(provider, temporary.token)).get('oauth_verifier') ?? '';
    const wrongTemporary = { token: temporary.token, secret: 'guessed-secret' };
    expectProblem(provider, await consumer.exchange(wrongTemporary, verifier), 401, 'signature_invalid');
    // The bad signature did not spend the temporary credential.
    const token = credentialsOf(await consumer.exchange(temporary, verifier));
    expectProblem(provider, await consumer.resource({ token: token.token, secret: 'guessed-secret' }), 401, 'signature_invalid');
    expect(issuedSince()).toBe(2);
  });

  it('a verifier cannot be reused, and a verifier from another flow is verifier_invalid and ends that flow', async () => {
    const first = await runFlow(provider, consumer);
    expectProblem(provider, await consumer.exchange(first.temporary, first.verifier), 401, 'token_rejected');

    const temporary = credentialsOf(await consumer.initiate());
    await authorize(provider, temporary.token);
    expectProblem(provider, await consumer.exchange(temporary, first.verifier), 401, 'verifier_invalid');
    expect(issuedSince()).toBe(3); // first flow's temporary + token, second flow's temporary
    // Burned: the right verifier no longer helps, so a verifier cannot be guessed in many tries.
    expectProblem(provider, await consumer.exchange(temporary, 'x'.repeat(42)), 401, 'token_rejected');
  });

  it('two concurrent exchanges of one temporary credential issue exactly one token', async () => {
    const temporary = credentialsOf(await consumer.initiate());
    const verifier = (await authorize(provider, temporary.token)).get('oauth_verifier') ?? '';
    const answers = await Promise.all([consumer.exchange(temporary, verifier), consumer.exchange(temporary, verifier)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
    expect(answers.map((answer) => answer.form.get('oauth_problem'))).toContain('token_rejected');
    expect(issuedSince()).toBe(2);
  });

  it('a temporary credential is refused once exchanged, also as a token credential at the resource', async () => {
    const { temporary } = await runFlow(provider, consumer);
    expectProblem(provider, await consumer.resource(temporary), 401, 'token_rejected');
    expectProblem(provider, await consumer.exchange(temporary, 'anything'), 401, 'token_rejected');
  });

  it('an exchange before the user authorized is verifier_invalid', async () => {
    const temporary = credentialsOf(await consumer.initiate());
    expectProblem(provider, await consumer.exchange(temporary, 'not-yet-authorized'), 401, 'verifier_invalid');
    expect(issuedSince()).toBe(1);
  });

  it('an expired temporary credential is token_expired, and its authorization page is an error page', async () => {
    const temporary = credentialsOf(await consumer.initiate());
    const verifier = (await authorize(provider, temporary.token)).get('oauth_verifier') ?? '';
    provider.clock.advance(601);
    expectProblem(provider, await consumer.exchange(temporary, verifier), 401, 'token_expired');

    const late = credentialsOf(await consumer.initiate());
    provider.clock.advance(601);
    const page = await fetch(`${provider.url}/oauth1/authorize?oauth_token=${late.token}`, { redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    expect(issuedSince()).toBe(2);
  });

  it("another client's token is token_rejected, even with its secret", async () => {
    const { token } = await runFlow(provider, consumer);
    const other = createConsumer(provider, { client: await provider.registerClient() });
    expectProblem(provider, await other.resource(token), 401, 'token_rejected');

    const temporary = credentialsOf(await consumer.initiate());
    const verifier = (await authorize(provider, temporary.token)).get('oauth_verifier') ?? '';
    expectProblem(provider, await other.exchange(temporary, verifier), 401, 'token_rejected');
    // The owner can still exchange it: the other client's attempt spent nothing.
    expect(credentialsOf(await consumer.exchange(temporary, verifier)).token).toBeTruthy();
  });

  it('a revoked or unknown token credential is token_rejected', async () => {
    const { token } = await runFlow(provider, consumer);
    expect(await revokeOAuth1Token({ storage: provider.storage }, token.token)).toBe(true);
    expectProblem(provider, await consumer.resource(token), 401, 'token_rejected');
    expectProblem(provider, await consumer.resource({ token: 'unknown-token', secret: token.secret }), 401, 'token_rejected');
  });

  it('a signature over a tampered form parameter is signature_invalid', async () => {
    const request = consumer.sign({
      path: '/oauth1/initiate',
      oauthParams: { oauth_callback: CALLBACK },
      form: { note: 'pay 10' },
    });
    expectProblem(provider, await send({ ...request, body: 'note=pay%201000' }), 401, 'signature_invalid');
    expect(issuedSince()).toBe(0);

    const { token } = await runFlow(provider, consumer);
    const call = consumer.sign({ path: ECHO_PATH, credentials: token, form: { status: 'hello' } });
    expectProblem(provider, await send({ ...call, body: 'status=goodbye' }), 401, 'signature_invalid');
  });

  it('a temporary credential request carrying an oauth_token is parameter_rejected (400)', async () => {
    const { token } = await runFlow(provider, consumer);
    const before = provider.issuedCount();
    const answer = await send(consumer.sign({ path: '/oauth1/initiate', credentials: token, oauthParams: { oauth_callback: CALLBACK } }));
    expectProblem(provider, answer, 400, 'parameter_rejected');
    expect(answer.form.get('oauth_parameters_rejected')).toBe('oauth_token');
    expect(provider.issuedCount()).toBe(before);
  });

  it('a token request without oauth_verifier is parameter_absent (400)', async () => {
    const temporary = credentialsOf(await consumer.initiate());
    await authorize(provider, temporary.token);
    const answer = await send(consumer.sign({ path: '/oauth1/token', credentials: temporary }));
    expectProblem(provider, answer, 400, 'parameter_absent');
    expect(answer.form.get('oauth_parameters_absent')).toBe('oauth_verifier');
    expect(issuedSince()).toBe(1);
  });

  it('a request without oauth_callback is parameter_absent (400)', async () => {
    const answer = await consumer.initiate(null);
    expectProblem(provider, answer, 400, 'parameter_absent');
    expect(answer.form.get('oauth_parameters_absent')).toBe('oauth_callback');
    expect(issuedSince()).toBe(0);
  });

  it('an unregistered callback is parameter_rejected (400), even a prefix match', async () => {
    for (const callback of ['https://evil.example/cb', `${CALLBACK}/more`, `${CALLBACK}?x=1`]) {
      const answer = await consumer.initiate(callback);
      expectProblem(provider, answer, 400, 'parameter_rejected');
      expect(answer.form.get('oauth_parameters_rejected')).toBe('oauth_callback');
    }
    const noOob = createConsumer(provider, { client: await provider.registerClient({ callbackUris: [CALLBACK] }) });
    expectProblem(provider, await noOob.initiate('oob'), 400, 'parameter_rejected');
    expect(issuedSince()).toBe(0);
  });

  it('an unknown signature method is signature_method_rejected (400)', async () => {
    const request = consumer.sign({ path: '/oauth1/initiate', oauthParams: { oauth_callback: CALLBACK } });
    const { params, realm } = parseAuthorizationHeader(request.headers.authorization ?? '');
    const header = buildAuthorizationHeader({ ...params, oauth_signature_method: 'HMAC-MD5' }, realm);
    expectProblem(
      provider,
      await send({ ...request, headers: { ...request.headers, authorization: header } }),
      400,
      'signature_method_rejected',
    );
    // A known method the provider is not configured for is refused the same way.
    const rsa = createConsumer(provider, { client, signatureMethod: 'PLAINTEXT' });
    expectProblem(provider, await rsa.initiate(), 400, 'signature_method_rejected');
    expect(issuedSince()).toBe(0);
  });

  it('an oauth_version other than 1.0 is version_rejected (400)', async () => {
    const answer = await consumer.initiate(CALLBACK, { oauthParams: { oauth_callback: CALLBACK, oauth_version: '2.0' } });
    expectProblem(provider, answer, 400, 'version_rejected');
    expect(issuedSince()).toBe(0);
  });

  it('a denied consent sends denied=<oauth_token> and error=access_denied, and drops the temporary credential', async () => {
    const temporary = credentialsOf(await consumer.initiate());
    const callback = await authorize(provider, temporary.token, 'deny');
    expect(Object.fromEntries(callback)).toEqual({
      oauth_token: temporary.token,
      denied: temporary.token,
      error: 'access_denied',
    });
    expectProblem(provider, await consumer.exchange(temporary, 'none'), 401, 'token_rejected');
    expect(issuedSince()).toBe(1);
  });

  it('a wrong password shows the page again with an error, and grants nothing', async () => {
    const temporary = credentialsOf(await consumer.initiate());
    const url = `${provider.url}/oauth1/authorize?oauth_token=${temporary.token}`;
    const result = await submitAuthorizeForm(url, { username: 'alice', password: 'wrong' });
    expect(result.status).toBe(200);
    expect(result.location).toBeNull();
    expect(result.body).toContain('role="alert"');
    expect(result.body).toContain('name="oauth_token"');
    // The user may try again on the same link.
    expect((await authorize(provider, temporary.token)).get('oauth_verifier')).toBeTruthy();
  });

  it('an unknown or missing oauth_token at the authorization page is an error page, never a redirect', async () => {
    for (const query of ['?oauth_token=made-up', '']) {
      const page = await fetch(`${provider.url}/oauth1/authorize${query}`, { redirect: 'manual' });
      expect(page.status).toBe(400);
      expect(page.headers.get('location')).toBeNull();
      expect(page.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('a temporary credential is authorized once: a second approval is an error page', async () => {
    const temporary = credentialsOf(await consumer.initiate());
    const first = await authorize(provider, temporary.token);
    const again = await fetch(`${provider.url}/oauth1/authorize?oauth_token=${temporary.token}`, { redirect: 'manual' });
    expect(again.status).toBe(400);
    expect(credentialsOf(await consumer.exchange(temporary, first.get('oauth_verifier') ?? '')).token).toBeTruthy();
  });
});

describe('RSA-SHA1 with the wrong key', () => {
  it('is signature_invalid for another private key, and signature_method_rejected without a registered key', async () => {
    const registered = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const provider = await startOAuth1Provider({ signatureMethods: ['RSA-SHA1'] });
    try {
      const client = await provider.registerClient({
        rsaPublicKey: registered.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      });
      const forger = createConsumer(provider, { client, signatureMethod: 'RSA-SHA1', privateKey: other.privateKey });
      expectProblem(provider, await forger.initiate(), 401, 'signature_invalid');
      const keyless = createConsumer(provider, {
        client: await provider.registerClient(),
        signatureMethod: 'RSA-SHA1',
        privateKey: registered.privateKey,
      });
      expectProblem(provider, await keyless.initiate(), 400, 'signature_method_rejected');
      const owner = createConsumer(provider, { client, signatureMethod: 'RSA-SHA1', privateKey: registered.privateKey });
      expect((await owner.initiate()).status).toBe(200);
      expect(provider.issuedCount()).toBe(1);
    } finally {
      await provider.close();
    }
  });
});

describe('a signature method given to one provider', () => {
  it('is accepted by that provider only, not by another in the same process', async () => {
    const extraSignatureMethods = { 'HMAC-SHA256': hmacSha256 };
    const withIt = await startOAuth1Provider({ signatureMethods: ['HMAC-SHA1', 'HMAC-SHA256'], extraSignatureMethods });
    const without = await startOAuth1Provider({ signatureMethods: ['HMAC-SHA1'] });
    try {
      for (const [provider, status] of [
        [withIt, 200],
        [without, 400],
      ] as const) {
        const client = await provider.registerClient();
        const answer = await createConsumer(provider, { client, signatureMethod: 'HMAC-SHA256', extraSignatureMethods }).initiate();
        if (status === 200) expect(answer.status).toBe(200);
        else expectProblem(provider, answer, 400, 'signature_method_rejected');
      }
      expect(without.issuedCount()).toBe(0);
    } finally {
      await withIt.close();
      await without.close();
    }
  });
});

describe('PLAINTEXT over plain HTTP', () => {
  it('is signature_method_rejected (400) unless dangerouslyAllowPlaintextOverHttp is set', async () => {
    const provider = await startOAuth1Provider({ signatureMethods: ['HMAC-SHA1', 'PLAINTEXT'] });
    try {
      const client = await provider.registerClient();
      const plaintext = createConsumer(provider, { client, signatureMethod: 'PLAINTEXT' });
      expectProblem(provider, await plaintext.initiate(), 400, 'signature_method_rejected');
      expect(provider.issuedCount()).toBe(0);
      // The same provider still serves HMAC-SHA1.
      expect((await createConsumer(provider, { client }).initiate()).status).toBe(200);
    } finally {
      await provider.close();
    }
  });
});
