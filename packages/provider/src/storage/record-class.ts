/**
 * What the provider keeps falls into three classes, told apart by key prefix so that any store can
 * bound them apart (the memory store does; a Redis store could put `pending` in a database of its own
 * with `allkeys-lru`). Anonymous traffic must never push out what signed-in users and their clients hold.
 */
export const RECORD_CLASSES = ['pending', 'nonce', 'durable'] as const;

/**
 * - `pending`: made by anyone before signing in (a pending authorization request, an OAuth 1 temporary
 *   credential); losing one only means starting that sign-in again.
 * - `nonce`: OAuth 1 nonces (RFC 5849 section 3.3) and DPoP proof `jti`s (RFC 9449 section 11.1), made by
 *   any correctly signed request or proof; forgetting a live one would let its request be replayed.
 * - `durable`: everything else: grants, codes, tokens, OAuth 1 token credentials, refresh-reuse, code-replay
 *   and revocation markers, login sessions, clients.
 */
export type RecordClass = (typeof RECORD_CLASSES)[number];

/**
 * Prefixes of `pending` keys: `oauth2/authorize-request.ts`, `oauth2/pushed-request.ts` (a pushed request is
 * made by an authenticated client, but it lives for a minute and only starts a sign-in) and
 * `oauth1/credentials.ts` write them.
 */
export const PENDING_KEY_PREFIXES = ['oauth2:authz-tx:', 'oauth2:par:', 'oauth1:temporary:'] as const;

/** Prefixes of `nonce` keys, written by `oauth1/verify-request.ts` and `dpop/verify-proof.ts`. */
export const NONCE_KEY_PREFIXES = ['oauth1:nonce:', 'oauth2:dpop-jti:'] as const;

/** The class of the record stored under `key`; an unknown namespace is `durable`, the class never evicted. */
export function recordClassOf(key: string): RecordClass {
  for (const prefix of NONCE_KEY_PREFIXES) if (key.startsWith(prefix)) return 'nonce';
  for (const prefix of PENDING_KEY_PREFIXES) if (key.startsWith(prefix)) return 'pending';
  return 'durable';
}
