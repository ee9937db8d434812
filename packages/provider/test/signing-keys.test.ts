import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { startTestProvider } from '../../../test-support/provider.js';
import { SPA, TEST_CLIENTS, obtainCode, redeemAsSpa } from './support.js';

describe('configured signing keys', () => {
  it('publishes every key, signs with the first, and keeps a given kid', async () => {
    const first = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    const second = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const tp = await startTestProvider({ clients: TEST_CLIENTS, keys: [{ ...first, kid: 'k1' }, second] });
    try {
      const jwks = (await (await fetch(`${tp.issuer}/jwks`)).json()) as { keys: { kid: string; d?: string }[] };
      expect(jwks.keys.map((key) => key.kid)[0]).toBe('k1');
      expect(jwks.keys).toHaveLength(2);
      expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);
      const { code, verifier } = await obtainCode(tp, SPA);
      const idToken = String((await redeemAsSpa(tp, code, verifier)).body.id_token);
      expect(decodeProtectedHeader(idToken)).toMatchObject({ alg: 'RS256', kid: 'k1' });
    } finally {
      await tp.close();
    }
  });
});
