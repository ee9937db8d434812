import { generateKeyPairSync } from 'node:crypto';
import { hmacSha256 } from '@latchkey/oauth1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuthorizeForm } from '../../../../test-support/authorize-form.js';
import {
  ALICE,
  CALLBACK,
  ECHO_PATH,
  RESOURCE_PATH,
  authorize,
  createConsumer,
  credentialsOf,
  startOAuth1Provider,
  type OAuth1TestProvider,
} from './support.js';

const PLACEMENTS = ['header', 'query', 'body'] as const;
const METHODS = ['HMAC-SHA1', 'PLAINTEXT', 'RSA-SHA1', 'HMAC-SHA256'] as const;
// Given to this provider and its consumers only, not registered process-wide.
const extraSignatureMethods = { 'HMAC-SHA256': hmacSha256 };

describe('OAuth 1.0a three-legged flow (RFC 5849 section 2) against the provider', () => {
  let provider: OAuth1TestProvider;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  beforeAll(async () => {
    provider = await startOAuth1Provider({
      signatureMethods: [...METHODS],
      extraSignatureMethods,
      dangerouslyAllowPlaintextOverHttp: true,
    });
  });
  afterAll(() => provider.close());

  for (const signatureMethod of METHODS) {
    for (const placement of PLACEMENTS) {
      it(`${signatureMethod}, parameters in the ${placement}: initiate, authorize, exchange, call the resource`, async () => {
        const client = await provider.registerClient({
          rsaPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        });
        const consumer = createConsumer(provider, {
          client,
          signatureMethod,
          extraSignatureMethods,
          placement,
          ...(signatureMethod === 'RSA-SHA1' ? { privateKey } : {}),
        });

        const initiated = await consumer.initiate();
        expect(initiated.status).toBe(200);
        expect(initiated.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
        expect(initiated.headers.get('cache-control')).toBe('no-store');
        expect(initiated.form.get('oauth_callback_confirmed')).toBe('true');
        const temporary = credentialsOf(initiated);
        expect(temporary.token).toHaveLength(42);
        expect(temporary.secret).toHaveLength(48);

        const callback = await authorize(provider, temporary.token);
        expect(callback.get('oauth_token')).toBe(temporary.token);
        const verifier = callback.get('oauth_verifier');
        expect(verifier).toMatch(/^[A-Za-z0-9_-]{20,}$/);

        const token = credentialsOf(await consumer.exchange(temporary, verifier ?? ''));
        expect(token.token).not.toBe(temporary.token);
        expect(token.token).toHaveLength(42);
        expect(token.secret).toHaveLength(48);

        if (placement === 'body') {
          // The form body was read to verify the signature and is still there for the handler.
          const echo = await consumer.resource(token, { path: ECHO_PATH, method: 'POST', form: { status: 'hello world!' } });
          expect(echo.status).toBe(200);
          expect(JSON.parse(echo.text)).toMatchObject({
            protocol: 'oauth1',
            client_id: client.clientId,
            sub: ALICE.sub,
            body: { status: 'hello world!' },
          });
        } else {
          const me = await consumer.resource(token, { url: `${provider.url}${RESOURCE_PATH}?view=full` });
          expect(me.status).toBe(200);
          expect(JSON.parse(me.text)).toMatchObject({
            protocol: 'oauth1',
            client_id: client.clientId,
            sub: ALICE.sub,
            name: ALICE.name,
            scope: '',
          });
        }
      });
    }
  }

  it('emits oauth1_request and oauth1_token_issued events without secrets', async () => {
    const client = await provider.registerClient();
    const consumer = createConsumer(provider, { client });
    const before = provider.events.length;
    const temporary = credentialsOf(await consumer.initiate());
    const verifier = (await authorize(provider, temporary.token)).get('oauth_verifier') ?? '';
    const token = credentialsOf(await consumer.exchange(temporary, verifier));
    await consumer.resource(token);
    expect(provider.events.slice(before)).toEqual([
      { type: 'oauth1_request', endpoint: 'initiate', clientId: client.clientId },
      { type: 'oauth1_token_issued', kind: 'temporary', clientId: client.clientId },
      { type: 'oauth1_request', endpoint: 'token', clientId: client.clientId },
      { type: 'oauth1_token_issued', kind: 'token', clientId: client.clientId },
      { type: 'oauth1_request', endpoint: 'resource', clientId: client.clientId },
    ]);
  });

  it('an out-of-band (oob) callback shows the verifier on a page, and it exchanges', async () => {
    const client = await provider.registerClient({ callbackUris: ['oob'] });
    const consumer = createConsumer(provider, { client });
    const temporary = credentialsOf(await consumer.initiate('oob'));
    const form = await readAuthorizeForm(`${provider.url}/oauth1/authorize?oauth_token=${temporary.token}`);
    const page = await fetch(form.action, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ ...form.fields, username: 'alice', password: 'wonderland', decision: 'allow' }),
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const verifier = /<code id="oauth_verifier">([^<]+)<\/code>/.exec(await page.text())?.[1];
    expect(verifier).toBeDefined();
    expect(credentialsOf(await consumer.exchange(temporary, verifier ?? '')).token).toHaveLength(42);
  });

  it('keeps a registered callback URI with a query, adding the parameters to it', async () => {
    const withQuery = `${CALLBACK}?app=one`;
    const client = await provider.registerClient({ callbackUris: [withQuery] });
    const consumer = createConsumer(provider, { client });
    const temporary = credentialsOf(await consumer.initiate(withQuery));
    const callback = await authorize(provider, temporary.token);
    expect(callback.get('app')).toBe('one');
    expect(callback.get('oauth_token')).toBe(temporary.token);
  });

  it('never uses a raw token as a storage key', async () => {
    const client = await provider.registerClient();
    const consumer = createConsumer(provider, { client });
    const temporary = credentialsOf(await consumer.initiate());
    const verifier = (await authorize(provider, temporary.token)).get('oauth_verifier') ?? '';
    const token = credentialsOf(await consumer.exchange(temporary, verifier));
    const keys = provider.storedKeys.join('\n');
    for (const value of [temporary.token, temporary.secret, verifier, token.token, token.secret]) {
      expect(keys).not.toContain(value);
    }
  });
});
