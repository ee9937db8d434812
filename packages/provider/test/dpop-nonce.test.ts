import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { type DpopKey, dpopKey, dpopProof } from './dpop-support.js';
import { SERVICE, TEST_CLIENTS } from './support.js';

// The provider's clock runs `offset` ahead of the real one; proofs are dated by the same clock.
let offset = 0;
const clock = () => Date.now() + offset;
const ROTATION_SECONDS = 600;

let tp: TestProvider;
let key: DpopKey;
beforeAll(async () => {
  tp = await startTestProvider({ clients: TEST_CLIENTS, now: clock, dpop: { requireNonce: true, nonceRotationSeconds: ROTATION_SECONDS } });
  key = await dpopKey('ES256');
});
afterAll(() => tp.close());
beforeEach(() => {
  offset = 0;
});

const iat = () => Math.floor(clock() / 1000);

/** A client_credentials request with a proof carrying `nonce` (none when undefined). */
async function tokenRequest(nonce?: string) {
  const dpop = await dpopProof(key, {
    htm: 'POST',
    htu: `${tp.issuer}/oauth/token`,
    iat: iat(),
    ...(nonce === undefined ? {} : { nonce }),
  });
  const response = await fetch(`${tp.issuer}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', dpop },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: SERVICE.clientId, client_secret: SERVICE.clientSecret }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, nonce: response.headers.get('dpop-nonce'), body };
}

async function resourceRequest(accessToken: string, nonce?: string) {
  const dpop = await dpopProof(key, {
    htm: 'GET',
    htu: `${tp.issuer}/api/me`,
    accessToken,
    iat: iat(),
    ...(nonce === undefined ? {} : { nonce }),
  });
  const response = await fetch(`${tp.issuer}/api/me`, { headers: { authorization: `DPoP ${accessToken}`, dpop } });
  await response.arrayBuffer();
  return { status: response.status, nonce: response.headers.get('dpop-nonce'), challenge: response.headers.get('www-authenticate') ?? '' };
}

/** The nonce the token endpoint hands out now. */
async function currentNonce(): Promise<string> {
  const first = await tokenRequest();
  expect(first.body.error).toBe('use_dpop_nonce');
  return first.nonce ?? '';
}

describe('DPoP nonces (RFC 9449 sections 8 and 9)', () => {
  it('token endpoint: a proof without the nonce gets 400 use_dpop_nonce and DPoP-Nonce; the retry with it succeeds', async () => {
    const first = await tokenRequest();
    expect(first.status).toBe(400);
    expect(first.body.error).toBe('use_dpop_nonce');
    expect(first.nonce).toMatch(/^[\x21\x23-\x5B\x5D-\x7E]+$/);
    const retry = await tokenRequest(first.nonce ?? '');
    expect(retry.status).toBe(200);
    expect(retry.body.token_type).toBe('DPoP');
    // The nonce was current: no new one is sent.
    expect(retry.nonce).toBeNull();
    expect((await tokenRequest('made-up-nonce')).body.error).toBe('use_dpop_nonce');
  });

  it('resource: 401 with WWW-Authenticate: DPoP error="use_dpop_nonce" and DPoP-Nonce, then success with it', async () => {
    const nonce = await currentNonce();
    const accessToken = String((await tokenRequest(nonce)).body.access_token);
    const first = await resourceRequest(accessToken);
    expect(first.status).toBe(401);
    expect(first.challenge).toMatch(/^DPoP /);
    expect(first.challenge).toContain('error="use_dpop_nonce"');
    expect(first.nonce).toBe(nonce);
    expect((await resourceRequest(accessToken, first.nonce ?? '')).status).toBe(200);
  });

  it('rotates: the previous nonce still works and is answered with the new one; the one before is refused', async () => {
    const n0 = await currentNonce();
    const accessToken = String((await tokenRequest(n0)).body.access_token);
    const n1 = tp.provider.rotateDpopNonce();
    expect(n1).not.toBe(n0);
    const withPrevious = await tokenRequest(n0);
    expect(withPrevious.status).toBe(200);
    expect(withPrevious.nonce).toBe(n1);
    const resourceWithPrevious = await resourceRequest(accessToken, n0);
    expect(resourceWithPrevious.status).toBe(200);
    expect(resourceWithPrevious.nonce).toBe(n1);

    const n2 = tp.provider.rotateDpopNonce();
    const oldOld = await tokenRequest(n0);
    expect(oldOld.status).toBe(400);
    expect(oldOld.body.error).toBe('use_dpop_nonce');
    expect(oldOld.nonce).toBe(n2);
    const resourceOldOld = await resourceRequest(accessToken, n0);
    expect(resourceOldOld.status).toBe(401);
    expect(resourceOldOld.nonce).toBe(n2);
    expect((await tokenRequest(n1)).status).toBe(200);
    const withNew = await tokenRequest(n2);
    expect(withNew.status).toBe(200);
    expect(withNew.nonce).toBeNull();
    expect((await resourceRequest(accessToken, n2)).status).toBe(200);
  });

  it('rotates on its own each nonceRotationSeconds, and forgets both after two periods', async () => {
    const n0 = await currentNonce();
    offset = (ROTATION_SECONDS + 1) * 1000;
    const afterOne = await tokenRequest(n0);
    expect(afterOne.status).toBe(200);
    const n1 = afterOne.nonce ?? '';
    expect(n1).not.toBe(n0);
    offset += 2 * (ROTATION_SECONDS + 1) * 1000;
    const afterTwo = await tokenRequest(n1);
    expect(afterTwo.body.error).toBe('use_dpop_nonce');
    expect(afterTwo.nonce).not.toBe(n1);
  });

  it('refuses bad dpop options when the provider is created', async () => {
    for (const dpop of [{ nonceRotationSeconds: 0 }, { iatWindowSeconds: -1 }, { iatWindowSeconds: 1.5 }]) {
      const error = await startTestProvider({ dpop }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'configuration_error' });
    }
  });
});
