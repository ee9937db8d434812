import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../constant-time.js';
import { ProtocolError } from '../errors/protocol-error.js';

/** RFC 7636 section 4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const VERIFIER_SYNTAX = /^[A-Za-z0-9\-._~]{43,128}$/;

export type PkceMethod = 'S256' | 'plain';

/** Checks `code_challenge` and `code_challenge_method` of an authorization request (RFC 7636 section 4.3). */
export function parseCodeChallenge(
  challenge: string | undefined,
  method: string | undefined,
  allowPlain: boolean,
): { codeChallenge: string; codeChallengeMethod: PkceMethod } | undefined {
  if (challenge === undefined) {
    if (method !== undefined) throw new ProtocolError('invalid_request', 'code_challenge_method without code_challenge.');
    return undefined;
  }
  // RFC 7636 section 4.3 defaults to plain when the method is absent; plain is refused unless enabled.
  const resolved = method ?? 'plain';
  if (resolved !== 'S256' && resolved !== 'plain') {
    throw new ProtocolError('invalid_request', 'Unsupported code_challenge_method; use S256.');
  }
  if (resolved === 'plain' && !allowPlain) {
    throw new ProtocolError('invalid_request', 'code_challenge_method must be S256.');
  }
  if (!VERIFIER_SYNTAX.test(challenge)) {
    throw new ProtocolError('invalid_request', 'code_challenge is malformed.');
  }
  return { codeChallenge: challenge, codeChallengeMethod: resolved };
}

/** RFC 7636 section 4.6: does the verifier match the challenge of the authorization request? */
export function verifyCodeVerifier(verifier: string, challenge: string, method: PkceMethod): boolean {
  if (!VERIFIER_SYNTAX.test(verifier)) return false;
  const computed = method === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier;
  return constantTimeEqual(computed, challenge);
}
