import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { DPoPKey } from './dpop-key.js';

export interface ProofInput {
  /** The HTTP method of the request. */
  method: string;
  /** The request URL; the proof names it without query and fragment. */
  url: URL;
  /** The access token the request carries (bound to the proof by `ath`). */
  accessToken: string;
  /** The server's latest `DPoP-Nonce` for this origin, when it gave one. */
  nonce: string | undefined;
  /** Epoch seconds. */
  now: number;
}

/**
 * A DPoP proof JWT for a request to a protected resource (RFC 9449 section 4.2 and 7.1): `typ` `dpop+jwt`,
 * the public key as `jwk`, `htm`, `htu`, `iat`, a unique `jti`, `ath` (the access token's SHA-256 in
 * base64url) and `nonce` when the server asked for one (section 9).
 */
export function signDPoPProof(key: DPoPKey, input: ProofInput): Promise<string> {
  const ath = createHash('sha256').update(input.accessToken).digest('base64url');
  const claims = {
    htm: input.method.toUpperCase(),
    htu: `${input.url.origin}${input.url.pathname}`,
    ath,
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk })
    .setIssuedAt(input.now)
    .setJti(randomBytes(16).toString('base64url'))
    .sign(key.privateKey);
}
