import { createPublicKey, verify, webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLatchkeyError } from '@latchkey/common';
import { OAuthRegistry, type ClientConfig } from '@latchkey/bff';
import { listen, type Listening } from '../../../test-support/listen.js';
import { exampleEndpoints, thrown } from './config-checks.js';
import { startBff, type TestBff } from './harness.js';

const signingKeys = () =>
  webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;

describe('private_key_jwt configuration', () => {
  it('without clientKwargs.clientPrivateKey fails at register, naming the option, and registers nothing', () => {
    const registry = new OAuthRegistry({ env: {} });
    const error = thrown(() =>
      registry.register('jwt', { clientId: 'c', ...exampleEndpoints, clientKwargs: { tokenEndpointAuthMethod: 'private_key_jwt' } }),
    );
    expect(isLatchkeyError(error, 'configuration_error')).toBe(true);
    expect(error).toMatchObject({ code: 'configuration_error', option: 'clientKwargs.clientPrivateKey' });
    expect(registry.names()).toEqual([]);
  });

  it('chosen in {NAME}_CLIENT_KWARGS, where no key can come from, fails the same way', () => {
    const registry = new OAuthRegistry({
      env: {
        JWT_CLIENT_KWARGS: '{"tokenEndpointAuthMethod":"private_key_jwt"}',
        FAKE_CLIENT_KWARGS: '{"tokenEndpointAuthMethod":"private_key_jwt","clientPrivateKey":{"key":{"type":"private"}}}',
      },
    });
    expect(thrown(() => registry.register('jwt', { clientId: 'c', ...exampleEndpoints }))).toMatchObject({
      option: 'clientKwargs.clientPrivateKey',
    });
    expect(thrown(() => registry.register('fake', { clientId: 'c', ...exampleEndpoints }))).toMatchObject({
      option: 'clientKwargs.clientPrivateKey',
    });
    expect(registry.names()).toEqual([]);
  });

  it('refuses a public key in place of the private one', async () => {
    const { publicKey } = await signingKeys();
    const registry = new OAuthRegistry({ env: {} });
    const config: ClientConfig = {
      clientId: 'c',
      ...exampleEndpoints,
      clientKwargs: { tokenEndpointAuthMethod: 'private_key_jwt', clientPrivateKey: { key: publicKey } },
    };
    expect(thrown(() => registry.register('jwt', config))).toMatchObject({ option: 'clientKwargs.clientPrivateKey' });
  });

  it('accepts a private CryptoKey and needs no client secret', async () => {
    const { privateKey } = await signingKeys();
    const registry = new OAuthRegistry({ env: {} });
    registry.register('jwt', {
      clientId: 'c',
      ...exampleEndpoints,
      clientKwargs: { tokenEndpointAuthMethod: 'private_key_jwt', clientPrivateKey: { key: privateKey, kid: 'k1' } },
    });
    expect(registry.runtime('jwt').config.clientKwargs).toMatchObject({ tokenEndpointAuthMethod: 'private_key_jwt' });
  });
});

/**
 * The provider package has no private_key_jwt, so a stand-in token endpoint records the code exchange
 * and checks the client assertion (RFC 7523 section 2.2) with the public key.
 */
describe('private_key_jwt at the token endpoint', () => {
  let standIn: Listening;
  let bff: TestBff;
  let publicKey: webcrypto.CryptoKey;
  const exchanges: { authorization: string | undefined; form: URLSearchParams }[] = [];

  beforeAll(async () => {
    const keys = await signingKeys();
    publicKey = keys.publicKey;
    standIn = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        exchanges.push({ authorization: req.headers.authorization, form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')) });
        res.setHeader('content-type', 'application/json');
        res.setHeader('cache-control', 'no-store');
        res.end(JSON.stringify({ access_token: 'stand-in-access', token_type: 'Bearer', expires_in: 3600 }));
      });
    });
    bff = await startBff({
      register(registry) {
        registry.register('jwt', {
          clientId: 'jwt-client',
          authorizeUrl: `${standIn.url}/authorize`,
          accessTokenUrl: `${standIn.url}/token`,
          clientKwargs: { tokenEndpointAuthMethod: 'private_key_jwt', clientPrivateKey: { key: keys.privateKey, kid: 'k1' } },
        });
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await standIn.close();
  });

  it('authenticates the code exchange with a signed client assertion and no secret', async () => {
    const browser = bff.browser();
    const authorize = new URL(await browser.startLogin('jwt', '/done'));
    const state = authorize.searchParams.get('state') as string;
    const callback = await browser.fetch(`/bff/callback/jwt?code=stand-in-code&state=${encodeURIComponent(state)}`);
    expect(callback.headers.get('location')).toBe('/done');

    expect(exchanges).toHaveLength(1);
    const { authorization, form } = exchanges[0] as (typeof exchanges)[number];
    expect(authorization).toBeUndefined();
    expect(form.get('client_secret')).toBeNull();
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const [header = '', payload = '', signature = ''] = (form.get('client_assertion') as string).split('.');
    const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(decode(header)).toMatchObject({ alg: 'ES256', kid: 'k1' });
    expect(decode(payload)).toMatchObject({ iss: 'jwt-client', sub: 'jwt-client' });
    const valid = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      {
        key: createPublicKey({
          key: (await webcrypto.subtle.exportKey('jwk', publicKey)) as import('node:crypto').JsonWebKey,
          format: 'jwk',
        }),
        dsaEncoding: 'ieee-p1363',
      },
      Buffer.from(signature, 'base64url'),
    );
    expect(valid).toBe(true);
  });
});
