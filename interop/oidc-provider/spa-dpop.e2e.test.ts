import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStoredSession } from '../../packages/browser/test/e2e/stored-session.js';
import { launchChromium, type LaunchedChromium } from '../../test-support/chromium.js';
import { ALICE } from '../../test-support/provider.js';
import { chromiumGate } from '../../test-support/services.js';
import { logInByClicks, openTab, pageText as text, callAtOnceWithRefreshHeld } from '../../test-support/spa-tab.js';
import { startOidcProvider, type StartedOp } from './op.js';
import { serveSpa, type ServedSpa } from './spa/serve.js';

// One app, three tabs. Its 8-second tokens come within its 2-second refresh skew while the test watches.
const TABS = { base: '/tabs', clientId: 'latchkey-spa.dpop', refreshSkew: 2 };

describe.runIf(chromiumGate())('the browser SDK with DPoP in Chromium against oidc-provider (nonces required)', () => {
  let op: StartedOp;
  let spa: ServedSpa;
  let chromium: LaunchedChromium;

  beforeAll(async () => {
    spa = await serveSpa();
    op = await startOidcProvider({
      clients: [
        {
          client_id: TABS.clientId,
          token_endpoint_auth_method: 'none',
          application_type: 'web',
          redirect_uris: [`${spa.server.url}${TABS.base}/callback`],
          grant_types: ['authorization_code', 'refresh_token'],
        },
      ],
      accessTokenTtl: { [TABS.clientId]: 8 },
      features: { dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true } },
    });
    spa.configure([{ ...TABS, issuer: op.issuer, dpop: true }]);
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await spa?.server.close();
    await op?.close();
  });

  const stored = (tab: Page) => readStoredSession(tab, TABS.clientId, op.issuer);
  const open = (status: string) => openTab(chromium.context, `${spa.server.url}${TABS.base}/home`, status);

  it('three tabs share one key (one jkt at the OP) and, calling at once with an expiring token, one refresh bound to it', async () => {
    const tabs: [Page, Page, Page] = [await open('logged-out'), await open('logged-out'), await open('logged-out')];
    const [first] = tabs;
    await logInByClicks(first, `${op.issuer}/interaction/**`, `${spa.server.url}${TABS.base}/home`);
    for (const tab of tabs) await expect.poll(() => text(tab, 'status')).toBe(`logged-in:${ALICE.sub}`);

    // The code exchange: refused once for its missing nonce, then granted.
    expect(op.countGrants('authorization_code', TABS.clientId)).toBe(1);
    expect(op.record.grantErrors).toEqual([expect.stringMatching(/^use_dpop_nonce/)]);
    const session = await stored(first);
    expect(session).toMatchObject({ tokenType: 'dpop', privateKey: { isCryptoKey: true, extractable: false, algorithm: 'P-256' } });
    const jkt = session?.jkt ?? '';
    const issued = op.record.refreshTokens.at(-1) ?? '';
    expect(await op.introspect(op.record.accessTokens.at(-1) ?? '')).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
    expect(await op.introspect(issued)).toMatchObject({ active: true, cnf: { jkt } });

    // Wait until the token is within the skew, then hold the refresh at the OP's door while all three tabs
    // want it: one tab holds the refresh lock, the other two queue behind it.
    const expiresAt = Number(await text(first, 'expires-at'));
    await expect.poll(() => Date.now() >= expiresAt - TABS.refreshSkew * 1000, { timeout: 15_000, interval: 100 }).toBe(true);
    // Each tab signs its userinfo call with the key from IndexedDB; the OP checks it against the token's cnf.jkt.
    await callAtOnceWithRefreshHeld(tabs, () => op.holdTokenRequests());
    expect(op.countGrants('refresh_token', TABS.clientId)).toBe(1);
    expect(op.record.consumedRefreshTokens).toEqual([issued]);
    const rotated = op.record.refreshTokens.at(-1) ?? '';
    expect(await op.introspect(rotated)).toMatchObject({ active: true, cnf: { jkt } });
    expect(await op.introspect(op.record.accessTokens.at(-1) ?? '')).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
    for (const tab of tabs) {
      expect((await stored(tab))?.jkt).toBe(jkt);
      expect(await text(tab, 'error')).toBe('');
    }
    // No refusal but nonce requests (at most one per tab that had not learned the token endpoint's nonce).
    expect(op.record.grantErrors.every((error) => error.startsWith('use_dpop_nonce'))).toBe(true);
    expect(op.record.serverErrors).toEqual([]);
  });
});
