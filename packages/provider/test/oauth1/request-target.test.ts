import { request } from 'node:http';
import type { ClientRecord } from '@latchkey/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CALLBACK,
  createConsumer,
  credentialsOf,
  runFlow,
  startOAuth1Provider,
  type Consumer,
  type OAuth1TestProvider,
} from './support.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  form: URLSearchParams;
}

/** Sends a request with exactly this request target on the request line (absolute-form included). */
function sendTarget(
  provider: OAuth1TestProvider,
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: string,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(provider.url);
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: hostname, port, method, path: target, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, form: new URLSearchParams(text) });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('OAuth 1.0a request targets in absolute form (RFC 9112 section 3.2.2)', () => {
  let provider: OAuth1TestProvider;
  let client: ClientRecord;
  let consumer: Consumer;

  beforeAll(async () => {
    provider = await startOAuth1Provider({});
    client = await provider.registerClient();
    consumer = createConsumer(provider, { client });
  });
  afterAll(() => provider.close());

  const initiateAt = (target: string, signedUrl = `${provider.url}/oauth1/initiate`) => {
    const signed = consumer.sign({ path: '/oauth1/initiate', url: signedUrl, oauthParams: { oauth_callback: CALLBACK } });
    return sendTarget(provider, 'POST', target, signed.headers as Record<string, string>, signed.body);
  };

  it("verifies a request whose target is the issuer's absolute URL, signed over that URL (RFC 5849 section 3.4.1.2)", async () => {
    const before = provider.issuedCount();
    const answer = await initiateAt(`${provider.url}/oauth1/initiate`);
    expect(answer.status).toBe(200);
    expect(answer.form.get('oauth_callback_confirmed')).toBe('true');
    expect(provider.issuedCount()).toBe(before + 1);
  });

  it('answers a protected resource addressed in absolute form', async () => {
    const { token } = await runFlow(provider, consumer);
    const signed = consumer.sign({ path: '/api/me', method: 'GET', credentials: token });
    const answer = await sendTarget(provider, 'GET', `${provider.url}/api/me`, signed.headers as Record<string, string>);
    expect(answer.status).toBe(200);
  });

  it.each([
    ['another authority', (url: string) => url.replace('127.0.0.1', 'other.example.test')],
    ['another port', (url: string) => url.replace(/:(\d+)$/, (_, port: string) => `:${Number(port) + 1}`)],
    ['another scheme', (url: string) => url.replace('http:', 'https:')],
    ['user information', (url: string) => url.replace('http://', 'http://user@')],
  ])('refuses a target naming %s with a typed 400, issuing nothing', async (_name, change) => {
    const before = provider.issuedCount();
    const target = `${change(provider.url)}/oauth1/initiate`;
    const answer = await initiateAt(target, target);
    expect({ status: answer.status, problem: answer.form.get('oauth_problem') }).toEqual({ status: 400, problem: 'parameter_rejected' });
    expect(answer.headers['www-authenticate']).toBe(`OAuth realm="${provider.url}"`);
    expect(provider.issuedCount()).toBe(before);
  });

  it('refuses a foreign absolute target at a protected resource with a typed 400', async () => {
    const { token } = await runFlow(provider, consumer);
    const target = 'http://other.example.test/api/me';
    const signed = consumer.sign({ path: '/api/me', url: target, method: 'GET', credentials: token });
    const answer = await sendTarget(provider, 'GET', target, signed.headers as Record<string, string>);
    expect({ status: answer.status, problem: answer.form.get('oauth_problem') }).toEqual({ status: 400, problem: 'parameter_rejected' });
  });

  it.each(['/oauth1/initiate', '/oauth1/token', '/api/me'])(
    'answers a target the URL parser cannot read (%s) with a typed 400',
    async (path) => {
      const answer = await sendTarget(provider, 'POST', `http://[::1${path}`, { authorization: 'OAuth realm="x"' });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toMatchObject({ error: 'invalid_request' });
    },
  );

  it('still verifies origin-form targets, and credentials from them work', async () => {
    expect(credentialsOf(await consumer.initiate()).token).not.toBe('');
  });
});
