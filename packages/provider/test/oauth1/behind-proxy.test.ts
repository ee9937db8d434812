import { signRequest, type SignedRequest } from '@latchkey/oauth1';
import { createProvider, type ClientRecord } from '@latchkey/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../../../test-support/listen.js';
import { CALLBACK, send } from './support.js';

// A provider whose public issuer is https (TLS ends at a proxy in front), served here over plain
// HTTP on 127.0.0.1 as the proxy would reach it.
const ISSUER = 'https://id.example.test';

describe('OAuth 1.0a provider behind a TLS-terminating proxy', () => {
  let server: Listening;
  let client: ClientRecord;

  beforeAll(async () => {
    const provider = await createProvider({
      issuer: ISSUER,
      oauth1: { signatureMethods: ['HMAC-SHA1', 'PLAINTEXT'] },
    });
    client = await provider.registerClient({ oauth1: { callbackUris: [CALLBACK] } });
    server = await listen(provider.app.callback());
  });
  afterAll(() => server.close());

  /** Signs for `signedUrl` and sends it to the local server, as a proxy would forward it. */
  const initiate = (signedUrl: string, signatureMethod = 'HMAC-SHA1') => {
    const signed: SignedRequest = signRequest({
      method: 'POST',
      url: signedUrl,
      consumerKey: client.clientId,
      keys: { consumerSecret: client.clientSecret ?? '' },
      signatureMethod,
      oauthParams: { oauth_callback: CALLBACK },
    });
    return send({ ...signed, url: `${server.url}/oauth1/initiate` });
  };

  it('verifies the signature against the public issuer URL, not the Host header', async () => {
    expect((await initiate(`${ISSUER}/oauth1/initiate`)).status).toBe(200);
    const answer = await initiate(`${server.url}/oauth1/initiate`);
    expect({ status: answer.status, problem: answer.form.get('oauth_problem') }).toEqual({
      status: 401,
      problem: 'signature_invalid',
    });
  });

  it('accepts PLAINTEXT without the development flag when the issuer is https', async () => {
    const answer = await initiate(`${ISSUER}/oauth1/initiate`, 'PLAINTEXT');
    expect(answer.status).toBe(200);
    expect(answer.form.get('oauth_callback_confirmed')).toBe('true');
  });
});
