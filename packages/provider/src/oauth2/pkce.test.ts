import { describe, expect, it } from 'vitest';
import type { ProtocolError } from '../errors/protocol-error.js';
import { parseCodeChallenge, verifyCodeVerifier } from './pkce.js';

// RFC 7636 appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('PKCE (RFC 7636)', () => {
  it('verifies the appendix B known answer and nothing else', () => {
    expect(verifyCodeVerifier(VERIFIER, CHALLENGE, 'S256')).toBe(true);
    expect(verifyCodeVerifier(`${VERIFIER.slice(0, -1)}l`, CHALLENGE, 'S256')).toBe(false);
    // The challenge itself is not a valid verifier for S256 (no plain downgrade at the token endpoint).
    expect(verifyCodeVerifier(CHALLENGE, CHALLENGE, 'S256')).toBe(false);
    expect(verifyCodeVerifier('short', 'short', 'plain')).toBe(false);
  });

  it('refuses plain unless allowed, and defaults an absent method to plain', () => {
    const refused = (method: string | undefined) => {
      try {
        parseCodeChallenge(CHALLENGE, method, false);
      } catch (error) {
        return (error as ProtocolError).code;
      }
      return 'accepted';
    };
    expect(refused('plain')).toBe('invalid_request');
    expect(refused(undefined)).toBe('invalid_request');
    expect(refused('S256')).toBe('accepted');
    expect(parseCodeChallenge(CHALLENGE, undefined, true)).toEqual({ codeChallenge: CHALLENGE, codeChallengeMethod: 'plain' });
  });
});
