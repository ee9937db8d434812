import { calculateJwkThumbprint, type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';

/**
 * The private half of a login's DPoP key pair (RFC 9449 section 4.2), an EC P-256 JWK (RFC 7518 section
 * 6.2) kept in the sealed server-side session beside the tokens it binds. It never leaves the server.
 */
export interface DPoPPrivateJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
}

/** A key pair ready to sign with. */
export interface DPoPKey {
  /** Signs the proofs of API calls (jose). */
  privateKey: CryptoKey;
  /** The `jwk` header of every proof: the public half only. */
  publicJwk: JWK;
  /** oauth4webapi's handle for token endpoint and userinfo proofs; it keeps the nonces those servers gave. */
  handle: oauth.DPoPHandle;
}

const ES256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** A fresh ES256 key pair for one login, as the JWK the session keeps. */
export async function generateDPoPJwk(): Promise<DPoPPrivateJwk> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const { x, y, d } = await exportJWK(privateKey);
  if (x === undefined || y === undefined || d === undefined) throw new TypeError('An ES256 private JWK has x, y and d.');
  return { kty: 'EC', crv: 'P-256', x, y, d };
}

/** RFC 9449 section 10: the `dpop_jkt` naming this key, its SHA-256 JWK thumbprint (RFC 7638). */
export function dpopJkt({ kty, crv, x, y }: DPoPPrivateJwk): Promise<string> {
  return calculateJwkThumbprint({ kty, crv, x, y }, 'sha256');
}

async function importDPoPKey(jwk: DPoPPrivateJwk): Promise<DPoPKey> {
  const { kty, crv, x, y, d } = jwk;
  const publicJwk: JWK = { kty, crv, x, y };
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.importKey('jwk', { kty, crv, x, y, d }, ES256, false, ['sign']),
    // oauth4webapi exports the public key for the proof header, so it must be extractable.
    crypto.subtle.importKey('jwk', publicJwk, ES256, true, ['verify']),
  ]);
  return { privateKey, publicJwk, handle: oauth.DPoP({}, { privateKey, publicKey }) };
}

/** Imported keys of one provider, by public key, so a session's calls import its key once. */
export interface DPoPKeys {
  of(jwk: DPoPPrivateJwk): Promise<DPoPKey>;
}

/** Keeps up to `limit` imported keys, least recently used out first. */
export function createDPoPKeys(limit = 1000): DPoPKeys {
  const imported = new Map<string, { d: string; key: Promise<DPoPKey> }>();
  return {
    of(jwk) {
      const id = `${jwk.x}.${jwk.y}`;
      const found = imported.get(id);
      imported.delete(id);
      // The same public key with another private one is not the same key: import it again.
      let entry = found;
      if (entry === undefined || entry.d !== jwk.d) {
        const key = importDPoPKey(jwk);
        // A key that does not import is not kept: the next call tries again.
        key.catch(() => imported.get(id)?.key === key && imported.delete(id));
        entry = { d: jwk.d, key };
      }
      imported.set(id, entry);
      if (imported.size > limit) imported.delete(imported.keys().next().value as string);
      return entry.key;
    },
  };
}
