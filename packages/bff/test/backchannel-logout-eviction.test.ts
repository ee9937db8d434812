import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '@latchkey/bff';
import { startBff, type Browser, type TestBff } from './harness.js';
import { postLogoutToken, startStandInOp, type StandInOp } from './backchannel-logout-op.js';

const CLIENT_ID = 'bff-backchannel-eviction';
const IDLE_MS = 60_000;

/**
 * A full memory store pushes out its least recently written entries. A session that was written again
 * after its login (here: renewed) must not outlive its logout index entries, or the provider's logout
 * would end nothing while the session goes on.
 */
describe('back-channel logout with a full memory store', () => {
  let op: StandInOp;
  beforeAll(async () => {
    op = await startStandInOp(CLIENT_ID);
  });
  afterAll(async () => {
    await op?.close();
  });

  async function bffWithRoomFor(maxEntries: number, now: () => number): Promise<TestBff> {
    return startBff({
      registry: { now },
      bff: { store: createMemoryStore({ maxEntries }), cookie: { maxAgeMs: IDLE_MS } },
      register(registry) {
        registry.register('stand', {
          clientId: CLIENT_ID,
          clientSecret: 'stand-in-secret',
          serverMetadataUrl: op.metadataUrl,
          apiBaseUrl: `${op.issuer}/api/`,
          clientKwargs: { scope: 'openid offline_access' },
        });
      },
    });
  }

  async function logIn(bff: TestBff, sub: string): Promise<{ browser: Browser; sid: string }> {
    const sid = randomUUID();
    op.nextLogin({ sub, sid });
    const browser = bff.browser();
    const back = await fetch(await browser.startLogin('stand'), { redirect: 'manual' });
    await browser.fetch(back.headers.get('location') as string);
    expect((await browser.session()).authenticated).toBe(true);
    return { browser, sid };
  }

  // Each bound pushes out a different number of entries once the later logins fill the store; with 9 to 11,
  // alice's index entries written only at login went first and her logout ended nothing.
  it.each([6, 7, 8, 9, 10, 11, 12])(
    'with room for %i entries, a renewed session is ended by its logout or already gone',
    async (maxEntries) => {
      let skewMs = 0;
      const bff = await bffWithRoomFor(maxEntries, () => Date.now() + skewMs);
      try {
        const first = await logIn(bff, 'alice');
        await logIn(bff, 'bob');
        // Past half the idle lifetime: the next route call renews alice's session, writing it again.
        skewMs = IDLE_MS / 2 + 10_000;
        expect((await first.browser.session()).authenticated).toBe(true);
        for (const sub of ['carol', 'dave']) await logIn(bff, sub);

        if (!(await first.browser.session()).authenticated) return; // pushed out whole: logged out, which is safe
        const answer = await postLogoutToken(bff.url, 'stand', await op.logoutToken({ claims: { sid: first.sid, sub: 'alice' } }));
        expect(answer.status).toBe(200);
        expect((await first.browser.session()).authenticated).toBe(false);
      } finally {
        await bff.close();
      }
    },
  );
});
