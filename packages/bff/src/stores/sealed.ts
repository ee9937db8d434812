import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ConfigurationError } from '@latchkey/common';

/**
 * AES-256-GCM sealing of session data at rest. Keys are derived from the app's `keys` with HKDF; the
 * first key seals, every key opens (rotation). The session id is the additional authenticated data,
 * so a value copied under another id does not open.
 */
export interface Sealer {
  seal(plaintext: string, id: string): string;
  /** `undefined` when no key opens the value (tampered, foreign, or sealed under a retired key). */
  open(sealed: string, id: string): string | undefined;
}

const VERSION = 'v1';

/**
 * One 32-byte key per app secret for `purpose` (HKDF-SHA256, RFC 5869), in the order given: the first
 * is the current one. Checks the secrets: at least one, each a string or Buffer of 32 bytes or more.
 */
export function deriveKeys(keys: readonly (string | Buffer)[], purpose: string): Buffer[] {
  if (keys.length === 0) throw new ConfigurationError('keys', 'keys must contain at least one secret.');
  return keys.map((key: unknown, index) => {
    if (typeof key !== 'string' && !Buffer.isBuffer(key)) {
      throw new ConfigurationError('keys', `keys[${index}] must be a string or a Buffer.`);
    }
    const material = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    if (material.length < 32) {
      throw new ConfigurationError('keys', `keys[${index}] must be at least 32 bytes of secret.`);
    }
    return Buffer.from(hkdfSync('sha256', material, 'latchkey-bff', purpose, 32));
  });
}

export function createSealer(keys: readonly (string | Buffer)[]): Sealer {
  const derived = deriveKeys(keys, 'session-store aes-256-gcm');
  const primary = derived[0] as Buffer;
  return {
    seal(plaintext, id) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', primary, iv);
      cipher.setAAD(Buffer.from(id, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed, id) {
      if (!sealed.startsWith(`${VERSION}.`)) return undefined;
      const raw = Buffer.from(sealed.slice(VERSION.length + 1), 'base64url');
      if (raw.length < 28) return undefined;
      for (const key of derived) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
          decipher.setAAD(Buffer.from(id, 'utf8'));
          decipher.setAuthTag(raw.subarray(12, 28));
          return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
        } catch {
          // Wrong key or tampered value: try the next key.
        }
      }
      return undefined;
    },
  };
}
