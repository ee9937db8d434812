import { isLatchkeyError } from '@latchkey/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../../test-support/listen.js';
import { logIn, rejection, revokeAtProvider, startHarness, storedSession, type Harness } from './harness.js';

let h: Harness;
let other: Listening;
let seen: (string | undefined)[];
beforeEach(async () => {
  h = await startHarness();
  seen = [];
  // Another origin, allowing CORS, that records the Authorization header it receives.
  other = await listen((req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'authorization');
    if (req.method !== 'OPTIONS') seen.push(req.headers.authorization);
    res.end('{}');
  });
});
afterEach(async () => {
  await other.close();
  await h.close();
});

describe('fetch()', () => {
  it('attaches the token to the allow-listed origin: the provider answers /api/me', async () => {
    const client = h.client();
    await logIn(client);
    const response = await client.fetch('/api/me');
    expect(response.status).toBe(200);
    expect(((await response.json()) as { sub: string }).sub).toBe('u-alice');
  });

  it('never sends the token to an origin outside apiOrigins', async () => {
    const client = h.client();
    await logIn(client);
    await client.fetch(`${other.url}/data`);
    expect(seen).toEqual([undefined]);
  });

  it('sends it where apiOrigins says', async () => {
    const client = h.client({ apiOrigins: [other.url] });
    await logIn(client);
    await client.fetch(`${other.url}/data`);
    expect(seen[0]).toMatch(/^Bearer ./);
  });

  it('on 401 invalid_token refreshes once and retries once', async () => {
    const client = h.client();
    await logIn(client);
    await revokeAtProvider(h.provider, (await storedSession(h, client))!.accessToken);
    const response = await client.fetch('/api/echo', {
      method: 'POST',
      body: JSON.stringify({ hello: 'world' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(h.provider.countEvents('token_request', 'refresh_token')).toBe(1);
  });

  it('does not retry a request whose body is a stream', async () => {
    const client = h.client();
    await logIn(client);
    await revokeAtProvider(h.provider, (await storedSession(h, client))!.accessToken);
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{}'));
        controller.close();
      },
    });
    const response = await client.fetch('/api/echo', { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(401);
    expect(h.provider.countEvents('token_request', 'refresh_token')).toBe(0);
  });

  it('logged out: login_required before any request', async () => {
    expect(isLatchkeyError(await rejection(h.client().fetch('/api/me')), 'login_required')).toBe(true);
  });
});
