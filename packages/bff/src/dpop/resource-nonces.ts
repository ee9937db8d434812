/** Answer headers as undici gives them. */
type AnswerHeaders = Record<string, string | string[] | undefined>;

/**
 * The `DPoP-Nonce` values resource servers gave (RFC 9449 section 9), one per origin: the latest one goes
 * into every later proof to that origin. A nonce is the server's, not the user's, so one provider's
 * sessions share them.
 */
export interface ResourceNonces {
  get(origin: string): string | undefined;
  /** Remembers the answer's `DPoP-Nonce`, if it has one. */
  learn(origin: string, headers: AnswerHeaders): void;
}

/** RFC 9449 section 8.1: a nonce is a non-empty string of NQCHAR (printable ASCII without `"` and `\`). */
const NONCE = /^[\u0021\u0023-\u005b\u005d-\u007e]+$/;

export function createResourceNonces(limit = 256): ResourceNonces {
  const nonces = new Map<string, string>();
  return {
    get: (origin) => nonces.get(origin),
    learn(origin, headers) {
      const nonce = headers['dpop-nonce'];
      if (typeof nonce !== 'string' || !NONCE.test(nonce) || nonces.get(origin) === nonce) return;
      nonces.delete(origin);
      nonces.set(origin, nonce);
      if (nonces.size > limit) nonces.delete(nonces.keys().next().value as string);
    },
  };
}

/** A `DPoP` challenge's auth-params, up to the next challenge (RFC 9110 section 11.6.1). */
const DPOP_CHALLENGE = /(?:^|,)\s*DPoP(?:\s+((?:[^,"]|"(?:[^"\\]|\\.)*"|,(?=\s*[!#$%&'*+.^_`|~\w-]+\s*=))*))?/gi;
const USE_NONCE = /(?:^|[\s,])error\s*=\s*(?:"use_dpop_nonce"|use_dpop_nonce)(?:$|[\s,])/i;

/**
 * True when a resource server refused a proof for lacking its nonce (RFC 9449 section 9): HTTP 401,
 * `WWW-Authenticate: DPoP error="use_dpop_nonce"`, and a `DPoP-Nonce` to retry with.
 */
export function asksForNonce(statusCode: number, headers: AnswerHeaders): boolean {
  if (statusCode !== 401 || typeof headers['dpop-nonce'] !== 'string') return false;
  const challenges = headers['www-authenticate'];
  const text = Array.isArray(challenges) ? challenges.join(', ') : challenges;
  if (text === undefined) return false;
  for (const match of text.matchAll(DPOP_CHALLENGE)) if (USE_NONCE.test(match[1] ?? '')) return true;
  return false;
}
