import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMemoryKeyValueStore, type KeyValueStore } from '@latchkey/provider';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { readAuthorizeForm } from '../../../test-support/authorize-form.js';
import { type Listening, listen } from '../../../test-support/listen.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { authorizationUrl, basic, postForm, type RelyingParty, relyingParty } from './support.js';

/*
 * Regression: two authorizations completing at once in one login session each read the session record
 * before the other wrote it, and the later write dropped the other client from the clients the session
 * signed in (and its consent), so that client heard nothing of the logout; and an update whose read came
 * before an end-session wrote the ended session back.
 */

const COOKIE = 'latchkey-op-session';
const SESSION_KEY_PREFIX = 'oauth2:login-session:';

const delivered: string[] = [];
let receiver: Listening;
async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
  for await (const _chunk of req);
  delivered.push(req.url ?? '');
  res.end();
}

/**
 * The memory store, with two ways to make a race happen on login session records:
 * - `holdReads()`: the next two reads of a session wait until both are in flight, so two requests both
 *   read the session before either can write it;
 * - `holdWrite()`: the next write of a session waits until the session is taken (ended), or else, once
 *   end-session has looked up its client, until the event loop's next turn (a serialized end waits for
 *   the write instead of taking first). It resolves once the write is held.
 */
function racingStore(inner: KeyValueStore, endingClientKey: string) {
  let heldReads: (() => void)[] | undefined;
  let heldWrite: (() => void) | undefined;
  let writeHeld: (() => void) | undefined;
  const releaseWrite = () => {
    heldWrite?.();
    heldWrite = undefined;
  };
  const store: KeyValueStore = {
    ...inner,
    get: async <T>(key: string) => {
      if (heldReads !== undefined && key.startsWith(SESSION_KEY_PREFIX)) {
        const waiting = heldReads;
        const turn = new Promise<void>((resolve) => waiting.push(resolve));
        if (waiting.length === 2) {
          heldReads = undefined;
          for (const release of waiting) release();
        }
        await turn;
      }
      const value = await inner.get<T>(key);
      if (heldWrite !== undefined && key === endingClientKey) setImmediate(releaseWrite);
      return value;
    },
    set: async <T>(key: string, value: T, ttlSeconds?: number) => {
      if (writeHeld !== undefined && key.startsWith(SESSION_KEY_PREFIX)) {
        const held = new Promise<void>((resolve) => {
          heldWrite = resolve;
        });
        writeHeld();
        writeHeld = undefined;
        await held;
      }
      return inner.set(key, value, ttlSeconds);
    },
    take: async <T>(key: string) => {
      const value = await inner.take<T>(key);
      if (key.startsWith(SESSION_KEY_PREFIX)) releaseWrite();
      return value;
    },
  };
  return {
    store,
    holdReads: () => void (heldReads = []),
    holdWrite: () =>
      new Promise<void>((resolve) => {
        writeHeld = resolve;
      }),
  };
}

const A = relyingParty('rp-a');
const B = relyingParty('rp-b');
const C = relyingParty('rp-c');

let tp: TestProvider;
const storage = racingStore(createMemoryKeyValueStore(), 'client:rp-a');
beforeAll(async () => {
  receiver = await listen((req, res) => void receive(req, res));
  tp = await startTestProvider({
    storage: storage.store,
    clients: [A, B, C].map((client) => ({
      ...client,
      redirectUris: [client.redirectUri],
      postLogoutRedirectUris: [`https://${client.clientId}.example.test/bye`],
      backchannelLogoutUri: `${receiver.url}/${client.clientId}`,
    })),
  });
});
afterAll(async () => {
  await Promise.all([tp.close(), receiver.close()]);
});
beforeEach(() => {
  delivered.length = 0;
});

/** The consent POST of `client`'s login + consent page, ready to send; the password when no cookie. */
async function consentRequest(client: RelyingParty, cookie?: string) {
  const start = await authorizationUrl(tp, client);
  const headers: Record<string, string> = cookie === undefined ? {} : { cookie };
  const form = await readAuthorizeForm(start.url.toString(), headers);
  const body = new URLSearchParams({ ...form.fields, decision: 'allow' });
  if (cookie === undefined) {
    body.set('username', 'alice');
    body.set('password', 'wonderland');
  }
  return async () => {
    const posted = await fetch(form.action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    await posted.arrayBuffer();
    const line = posted.headers.getSetCookie().find((value) => value.startsWith(`${COOKIE}=`));
    const code = new URL(posted.headers.get('location') ?? 'x:/').searchParams.get('code') ?? '';
    const tokens = await postForm(
      `${tp.issuer}/oauth/token`,
      { grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: start.verifier },
      { authorization: basic(client.clientId, client.clientSecret) },
    );
    expect(tokens.status).toBe(200);
    return { cookie: cookie ?? line?.split(';')[0] ?? '' };
  };
}

/** Where `prompt=none` sends the signed-in browser back: a code when the session holds the client's consent. */
async function silentAuthorization(client: RelyingParty, cookie: string): Promise<URLSearchParams> {
  const start = await authorizationUrl(tp, client, { prompt: 'none' });
  const response = await fetch(start.url, { redirect: 'manual', headers: { cookie } });
  await response.arrayBuffer();
  return new URL(response.headers.get('location') ?? 'x:/').searchParams;
}

/** RP-Initiated Logout from rp-a with the browser's cookie; end-session looks up rp-a before it ends the session. */
async function endSession(cookie: string): Promise<number> {
  const url = new URL(`${tp.issuer}/oauth/logout`);
  url.searchParams.set('client_id', A.clientId);
  url.searchParams.set('post_logout_redirect_uri', 'https://rp-a.example.test/bye');
  const response = await fetch(url, { redirect: 'manual', headers: { cookie } });
  await response.arrayBuffer();
  return response.status;
}

it('two authorizations completing at once in one login session both get a logout token at end-session', async () => {
  const a = await (await consentRequest(A))();
  const [consentB, consentC] = await Promise.all([consentRequest(B, a.cookie), consentRequest(C, a.cookie)]);

  storage.holdReads();
  await Promise.all([consentB(), consentC()]);

  // Both consents are kept: the session answers `prompt=none` for each.
  for (const client of [B, C]) expect.soft((await silentAuthorization(client, a.cookie)).get('code')).toEqual(expect.any(String));

  expect(await endSession(a.cookie)).toBe(302);
  expect(delivered.sort()).toEqual(['/rp-a', '/rp-b', '/rp-c']);
});

it('an end-session arriving while an authorization updates the session is not undone by that update', async () => {
  const a = await (await consentRequest(A))();
  const consentB = await consentRequest(B, a.cookie);

  const held = storage.holdWrite();
  const consented = consentB();
  await held;
  const [status] = await Promise.all([endSession(a.cookie), consented]);
  expect(status).toBe(302);

  // The session stays ended, and the client that completed authorization in it was told.
  expect((await silentAuthorization(B, a.cookie)).get('error')).toBe('login_required');
  expect(delivered.sort()).toEqual(['/rp-a', '/rp-b']);
});
