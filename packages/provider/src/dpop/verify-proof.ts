/**
 * Checking a DPoP proof (RFC 9449 section 4.3), in the section's order, with the nonce checked after the
 * signature and the `jti` spent last, so only a proof that passed every other check can use one up.
 */
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, type JWK, jwtVerify } from 'jose';
import { ProtocolError } from '../errors/protocol-error.js';
import { DPOP_SIGNING_ALGS } from '../keys/dpop-signing-algs.js';
import type { KeyValueStore } from '../storage/key-value-store.js';
import type { DpopNonces } from './nonces.js';

/** JWK members that only a private (or symmetric) key has: a proof must carry the public key only (step 7). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;
const JTI_PATTERN = /^[\x21-\x7E]{1,256}$/;

export interface ProofRequest {
  /** The `DPoP` header as received (`undefined` when absent). */
  proof: string;
  /** The request's method, for `htm`. */
  method: string;
  /** The request's URL as the client addressed it, for `htu`; its query and fragment are ignored. */
  url: string;
  /** The access token sent with the proof, whose hash `ath` must be (section 4.3 step 12). */
  accessToken?: string | undefined;
}

export interface ProofCheckOptions {
  storage: KeyValueStore;
  /** Milliseconds since the epoch. */
  now(): number;
  /** How far `iat` may be from `now`, either way, in seconds; also how long a `jti` is remembered. */
  iatWindowSeconds: number;
  /** Set when proofs must carry a server nonce (section 8). */
  nonces: DpopNonces | undefined;
}

export interface VerifiedProof {
  /** The JWK SHA-256 thumbprint of the proof's key (RFC 7638), which tokens are bound to. */
  jkt: string;
  /** The proof carried an older, still accepted nonce: answer with the current one in `DPoP-Nonce`. */
  staleNonce: boolean;
}

const invalidProof = (description: string, cause?: unknown) =>
  new ProtocolError('invalid_dpop_proof', description, cause === undefined ? {} : { cause });

/** `ath`: base64url SHA-256 of the access token's ASCII (section 4.2). */
function accessTokenHashForDpop(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** The URL without query and fragment, normalized by the URL parser (scheme and host case, default port). */
function withoutQuery(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return undefined;
  }
}

const jtiKey = (jkt: string, jti: string) => `oauth2:dpop-jti:${createHash('sha256').update(`${jkt}\n${jti}`).digest('base64url')}`;

/**
 * Verifies the proof and returns its key's thumbprint. Throws `invalid_dpop_proof` for a bad proof and
 * `use_dpop_nonce` (carrying the current nonce) when a required nonce is missing or no longer accepted.
 */
export async function verifyDpopProof(request: ProofRequest, options: ProofCheckOptions): Promise<VerifiedProof> {
  // Step 1: one proof; repeated headers arrive joined by commas, which a compact JWS never contains.
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(request.proof)) {
    throw invalidProof('The DPoP header must be exactly one compact JWT.');
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(request.proof);
  } catch (cause) {
    throw invalidProof('The DPoP proof header cannot be read.', cause);
  }
  // Steps 4 to 7: typ, alg and the embedded public key.
  if (header.typ !== 'dpop+jwt') throw invalidProof('The DPoP proof must have typ dpop+jwt.');
  if (!(DPOP_SIGNING_ALGS as readonly string[]).includes(header.alg ?? '')) {
    throw invalidProof(`The DPoP proof must be signed with one of ${DPOP_SIGNING_ALGS.join(', ')}.`);
  }
  const jwk: JWK | undefined = header.jwk;
  if (typeof jwk !== 'object' || jwk === null) throw invalidProof('The DPoP proof must carry its public key as jwk.');
  if (PRIVATE_MEMBERS.some((member) => Object.hasOwn(jwk, member))) {
    throw invalidProof('The DPoP proof jwk must be a public key.');
  }
  // Step 8: the signature, by the embedded key.
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(request.proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [...DPOP_SIGNING_ALGS],
      currentDate: new Date(options.now()),
    }));
  } catch (cause) {
    throw invalidProof('The DPoP proof signature or claims are invalid.', cause);
  }
  // Steps 9 to 12: jti, htm, htu, iat, ath.
  const { jti, htm, htu, iat, ath, nonce } = payload;
  if (typeof jti !== 'string' || !JTI_PATTERN.test(jti)) throw invalidProof('The DPoP proof needs a jti.');
  if (htm !== request.method) throw invalidProof('The DPoP proof htm does not match the request method.');
  const expectedUrl = withoutQuery(request.url);
  if (typeof htu !== 'string' || expectedUrl === undefined || withoutQuery(htu) !== expectedUrl) {
    throw invalidProof('The DPoP proof htu does not match the request URL.');
  }
  const now = Math.floor(options.now() / 1000);
  if (typeof iat !== 'number' || !Number.isFinite(iat) || Math.abs(now - iat) > options.iatWindowSeconds) {
    throw invalidProof('The DPoP proof iat is missing or outside the accepted window.');
  }
  if (request.accessToken === undefined) {
    if (ath !== undefined) throw invalidProof('The DPoP proof has an ath but no access token was sent.');
  } else if (ath !== accessTokenHashForDpop(request.accessToken)) {
    throw invalidProof('The DPoP proof ath does not match the access token.');
  }
  // Section 8 and 9: a server nonce, when required.
  let staleNonce = false;
  if (options.nonces !== undefined) {
    const current = options.nonces.current();
    if (typeof nonce !== 'string' || !options.nonces.accepts(nonce)) {
      throw new ProtocolError('use_dpop_nonce', 'A DPoP nonce from the DPoP-Nonce header is required.', { dpopNonce: current });
    }
    staleNonce = nonce !== current;
  }
  let jkt: string;
  try {
    jkt = await calculateJwkThumbprint(jwk, 'sha256');
  } catch (cause) {
    throw invalidProof('The DPoP proof jwk cannot be read.', cause);
  }
  // Section 11.1: a proof is single use within the window its iat allows (both sides of `now`).
  if (!(await options.storage.add(jtiKey(jkt, jti), true, 2 * options.iatWindowSeconds + 1))) {
    throw invalidProof('The DPoP proof was already used.');
  }
  return { jkt, staleNonce };
}
