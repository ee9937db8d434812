import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitAuthorizeForm } from '../../test-support/authorize-form.js';
import { ALICE, startTestProvider, type TestProvider } from '../../test-support/provider.js';
import { authlibGate, pythonHas, startPython } from './authlib-peer.js';

const OAUTH1_CALLBACK = 'http://127.0.0.1:9/authlib/oauth1-callback';
const OAUTH2_CALLBACK = 'http://127.0.0.1:9/authlib/oauth2-callback';
/** With `requests` (Debian's python3-requests) the script runs Authlib's sessions; without it, the base clients they extend. */
const SESSIONS = pythonHas('requests');

interface ApiCalls {
  me: [number, { sub: string; protocol: string }];
  echo: [number, { method: string; query: Record<string, string>; body: Record<string, string>; sub: string }];
}

/**
 * Authlib's own clients against `@latchkey/provider`: OAuth 1.0a (HMAC-SHA1) and OAuth 2 authorization
 * code with PKCE S256 for a public and two confidential clients. The Python script runs the client; this
 * test plays the user at the provider's login and consent page and hands the redirect back to it.
 */
describe.runIf(authlibGate())("Authlib's clients against the Latchkey provider", () => {
  let provider: TestProvider;

  beforeAll(async () => {
    provider = await startTestProvider();
  });
  afterAll(async () => {
    await provider?.close();
  });

  /** Runs the script for one flow: prints the authorization URL, gets the redirect, prints the result. */
  async function runClient(flow: 'oauth1' | 'oauth2', config: Record<string, unknown>) {
    const python = await startPython('clients/authlib_clients.py', [flow, JSON.stringify(config)]);
    try {
      const started = python.hello as { client?: string; authorize_url?: string; callback_confirmed?: string; error?: string };
      if (started.authorize_url === undefined)
        throw new Error(`the Authlib client did not start: ${JSON.stringify(started)} ${python.stderr()}`);
      const consent = await submitAuthorizeForm(started.authorize_url);
      expect([302, 303]).toContain(consent.status);
      python.send(consent.location as string);
      const finished = JSON.parse(await python.nextLine()) as { result?: Record<string, unknown>; error?: string };
      if (finished.result === undefined) throw new Error(`the Authlib client failed: ${finished.error} ${python.stderr()}`);
      return { client: started.client, callbackConfirmed: started.callback_confirmed, result: finished.result };
    } finally {
      await python.close();
    }
  }

  const expectApiCalls = (result: Record<string, unknown>, protocol: string) => {
    const { me, echo } = result as unknown as ApiCalls;
    expect(me).toEqual([200, expect.objectContaining({ sub: ALICE.sub, protocol })]);
    expect(echo[0]).toBe(200);
    expect(echo[1]).toMatchObject({ method: 'POST', sub: ALICE.sub, query: { page: '2' }, body: { title: 'Beach day', tag: 'a&b' } });
  };

  it('OAuth 1 client (HMAC-SHA1): temporary credential, authorization, token credential, signed GET and form POST', async () => {
    const consumer = await provider.provider.registerClient({ clientId: 'authlib-consumer', oauth1: { callbackUris: [OAUTH1_CALLBACK] } });
    const { client, callbackConfirmed, result } = await runClient('oauth1', {
      client_id: consumer.clientId,
      client_secret: consumer.clientSecret,
      redirect_uri: OAUTH1_CALLBACK,
      request_token_url: `${provider.url}/oauth1/initiate`,
      authorize_url: `${provider.url}/oauth1/authorize`,
      access_token_url: `${provider.url}/oauth1/token`,
      api: `${provider.url}/api`,
    });
    expect(client).toBe(SESSIONS ? 'OAuth1Session' : 'OAuth1Client');
    expect(callbackConfirmed).toBe('true');
    expect(result.token_keys).toEqual(['oauth_token', 'oauth_token_secret']);
    expectApiCalls(result, 'oauth1');
  });

  const oauth2Clients = [
    { clientId: 'authlib-public_client.v1~x', clientSecret: undefined, method: 'none' },
    { clientId: 'authlib-basic_client.v1~x', clientSecret: 'authlib-basic_secret.~1', method: 'client_secret_basic' },
    { clientId: 'authlib-post_client.v1~x', clientSecret: 'authlib-post_secret.~1', method: 'client_secret_post' },
  ] as const;

  for (const registration of oauth2Clients) {
    it(`OAuth 2 client with PKCE S256 (${registration.method}): code, API calls, refresh with rotation, revocation`, async () => {
      await provider.provider.registerClient({
        clientId: registration.clientId,
        ...(registration.clientSecret === undefined ? {} : { clientSecret: registration.clientSecret }),
        redirectUris: [OAUTH2_CALLBACK],
        tokenEndpointAuthMethod: registration.method,
      });
      const { client, result } = await runClient('oauth2', {
        client_id: registration.clientId,
        client_secret: registration.clientSecret,
        auth_method: registration.method,
        scope: 'openid profile offline_access',
        redirect_uri: OAUTH2_CALLBACK,
        authorize_url: `${provider.url}/oauth/authorize`,
        token_url: `${provider.url}/oauth/token`,
        revoke_url: `${provider.url}/oauth/revoke`,
        api: `${provider.url}/api`,
      });
      expect(client).toBe(SESSIONS ? 'OAuth2Session' : 'OAuth2Client');
      expect(result.token_type).toMatch(/^bearer$/i);
      expectApiCalls(result, 'oauth2');
      expect(result.refreshed_refresh_token).not.toBe(result.first_refresh_token);
      expect(result.after_refresh).toBe(200);
      expect(result.revoke_status).toBe(200);

      // At the provider: the rotated-out and the revoked refresh tokens are both refused.
      for (const refreshToken of [result.first_refresh_token, result.refreshed_refresh_token] as string[]) {
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: registration.clientId });
        if (registration.clientSecret !== undefined) form.set('client_secret', registration.clientSecret);
        const headers =
          registration.method === 'client_secret_basic'
            ? { authorization: `Basic ${Buffer.from(`${registration.clientId}:${registration.clientSecret}`).toString('base64')}` }
            : undefined;
        if (headers !== undefined) form.delete('client_secret');
        const refused = await fetch(`${provider.url}/oauth/token`, {
          method: 'POST',
          body: form,
          ...(headers === undefined ? {} : { headers }),
        });
        expect(refused.status).toBe(400);
        expect(((await refused.json()) as { error: string }).error).toBe('invalid_grant');
      }
    });
  }
});
