import { createHmac, timingSafeEqual } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { ProviderAnswerError } from '../http/failure-cause.js';

/** HMAC algorithms of RFC 7518 section 3.2, keyed with the client secret (OpenID Connect Core section 10.1). */
const HMAC_HASHES: Readonly<Record<string, string>> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

function headerAlg(idToken: string): string | undefined {
  try {
    const header: unknown = JSON.parse(Buffer.from(idToken.split('.')[0] ?? '', 'base64url').toString('utf8'));
    const alg = (header as { alg?: unknown } | null)?.alg;
    return typeof alg === 'string' ? alg : undefined;
  } catch {
    return undefined;
  }
}

function verifyHmac(idToken: string, hash: string, clientSecret: string | undefined): void {
  if (clientSecret === undefined || clientSecret === '') throw new ProviderAnswerError('id_token_signature_key_missing');
  const [header = '', payload = '', signature = ''] = idToken.split('.');
  const expected = createHmac(hash, clientSecret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ProviderAnswerError('id_token_signature_invalid');
}

/**
 * Verifies the signature of the ID token in a token endpoint answer that oauth4webapi has processed
 * (`response` is that answer). OpenID Connect Core section 3.1.3.7 lets a client skip this for an answer it
 * received directly over TLS, but the BFF also runs over plain HTTP in development and hands the claims to
 * `onLogin` as the user's identity, so it verifies whenever it can: against the provider's JWKS
 * (`jwks_uri`, RFC 8414 section 2) for asymmetric algorithms, with the client secret for HS256/384/512
 * (section 10.1). Without a `jwks_uri` an asymmetric signature cannot be checked and the claims checks
 * alone apply. Throws on a bad signature or an unusable key.
 */
export async function verifyIdTokenSignature(
  as: oauth.AuthorizationServer,
  response: Response,
  idToken: string,
  clientSecret: string | undefined,
  options: oauth.ValidateSignatureOptions,
): Promise<void> {
  const hash = HMAC_HASHES[headerAlg(idToken) ?? ''];
  if (hash !== undefined) return verifyHmac(idToken, hash, clientSecret);
  if (as.jwks_uri === undefined) return;
  await oauth.validateApplicationLevelSignature(as, response, options);
}
