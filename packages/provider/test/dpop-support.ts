import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** A client's DPoP key pair, made with jose as a client would. */
export interface DpopKey {
  alg: string;
  privateKey: CryptoKey;
  jwk: JWK;
  /** RFC 7638 SHA-256 thumbprint of the public key. */
  jkt: string;
}

export async function dpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { alg, privateKey, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

export interface ProofInput {
  htm: string;
  htu: string;
  accessToken?: string;
  nonce?: string;
  /** Seconds since the epoch. Default: now. */
  iat?: number;
  jti?: string;
  /** Replaces header members (`typ`, `jwk`...). */
  header?: Record<string, unknown>;
  /** Replaces or adds claims (`ath`...). */
  claims?: Record<string, unknown>;
}

/** RFC 9449 section 4.2: a proof JWT signed by `key`, with `ath` when an access token is given. */
export function dpopProof(key: DpopKey, input: ProofInput): Promise<string> {
  const claims: Record<string, unknown> = { htm: input.htm, htu: input.htu, jti: input.jti ?? randomUUID() };
  if (input.accessToken !== undefined) claims.ath = createHash('sha256').update(input.accessToken).digest('base64url');
  if (input.nonce !== undefined) claims.nonce = input.nonce;
  claims.iat = input.iat ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims, ...input.claims })
    .setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.jwk, ...input.header })
    .sign(key.privateKey);
}
