import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BffSessionResponse } from '@latchkey/common';
import { startBffAtOp, type BffAtOp } from './bff-at-op.js';
import { HttpBrowser } from './http-browser.js';
import type { StartedOp } from './op.js';

// Two clients: one that asks for sid in its logout tokens (backchannel_logout_session_required), one that
// gets sub alone, so both ways a logout token names what ended are exercised.
const BY_SID = { name: 'op', id: 'latchkey-bff.backchannel-sid', secret: randomBytes(24).toString('base64url'), sessionRequired: true };
const BY_SUB = {
  name: 'op-sub',
  id: 'latchkey-bff.backchannel-sub',
  secret: randomBytes(24).toString('base64url'),
  sessionRequired: false,
};
const CLIENTS = [BY_SID, BY_SUB];

describe('back-channel logout from oidc-provider (features.backchannelLogout)', () => {
  let bff: BffAtOp;
  let op: StartedOp;
  const deliveryErrors: string[] = [];
  let delivered = 0;

  beforeAll(async () => {
    bff = await startBffAtOp({
      op: (bffUrl) => ({
        clients: CLIENTS.map((client) => ({
          client_id: client.id,
          client_secret: client.secret,
          token_endpoint_auth_method: 'client_secret_basic' as const,
          redirect_uris: [`${bffUrl}/bff/callback/${client.name}`],
          grant_types: ['authorization_code', 'refresh_token'],
          backchannel_logout_uri: `${bffUrl}/bff/backchannel-logout/${client.name}`,
          backchannel_logout_session_required: client.sessionRequired,
        })),
        features: { backchannelLogout: { enabled: true } },
        // oidc-provider refuses to connect to special-use addresses (its SSRF guard); the BFF, alone, is on 127.0.0.1.
        fetch: (url, { dispatcher, ...init }) =>
          globalThis.fetch(url, new URL(url).origin === bffUrl ? init : { ...init, ...(dispatcher === undefined ? {} : { dispatcher }) }),
      }),
      register(registry, issuer) {
        for (const client of CLIENTS) {
          registry.register(client.name, {
            clientId: client.id,
            clientSecret: client.secret,
            serverMetadataUrl: `${issuer}/.well-known/openid-configuration`,
            clientKwargs: { scope: 'openid profile' },
          });
        }
      },
    });
    ({ op } = bff);
    op.provider.on('backchannel.success', () => void (delivered += 1));
    op.provider.on(
      'backchannel.error',
      (_ctx, error) => void deliveryErrors.push(`${error.message} ${String((error as { cause?: unknown }).cause)}`),
    );
  });

  afterAll(async () => {
    await bff?.close();
  });

  /** Alice signs in at the OP (her own OP session in this browser) and the BFF links the provider. */
  async function login(browser: HttpBrowser, provider: string) {
    expect((await bff.login(browser, provider)).location).toBe('/');
  }

  /** The user signs out at the OP's end-session endpoint and confirms on its page (RP-Initiated Logout, no client). */
  async function endOpSession(browser: HttpBrowser) {
    const metadata = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as { end_session_endpoint: string };
    const page = await (await browser.fetch(metadata.end_session_endpoint)).text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1] ?? '';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const ended = op.record.endSessions;
    await browser.fetch(new URL(action, metadata.end_session_endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
    });
    expect(op.record.endSessions).toBe(ended + 1);
  }

  /** What the BFF logged of the last logout token it acted on. */
  const lastLogoutLog = () => bff.logs.filter((line) => line.message === 'backchannel logout').at(-1)?.fields;

  const authenticated = async (browser: HttpBrowser) =>
    ((await (await browser.fetch(`${bff.url}/bff/session`)).json()) as BffSessionResponse).authenticated;

  it('ending the OP session ends the BFF session it signed in (logout token with sid), and no other', async () => {
    const browser = new HttpBrowser();
    const other = new HttpBrowser();
    await login(browser, BY_SID.name);
    await login(other, BY_SID.name);
    const before = delivered;

    await endOpSession(browser);
    expect(deliveryErrors).toEqual([]);
    expect(delivered).toBe(before + 1);
    expect(lastLogoutLog()).toMatchObject({
      provider: BY_SID.name,
      by: 'sid',
      sessions: 1,
    });
    expect(await authenticated(browser)).toBe(false);
    expect(await authenticated(other)).toBe(true);
    expect(op.record.serverErrors).toEqual([]);
  });

  it('a logout token with sub alone ends every BFF session of that user with the provider', async () => {
    const browser = new HttpBrowser();
    const other = new HttpBrowser();
    await login(browser, BY_SUB.name);
    await login(other, BY_SUB.name);

    await endOpSession(browser);
    expect(deliveryErrors).toEqual([]);
    expect(lastLogoutLog()).toMatchObject({
      provider: BY_SUB.name,
      by: 'sub',
      sessions: 2,
    });
    expect(await authenticated(browser)).toBe(false);
    expect(await authenticated(other)).toBe(false);
    expect(bff.logs.filter((line) => line.message === 'logout token refused')).toEqual([]);
  });
});
