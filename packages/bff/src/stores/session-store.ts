/**
 * Where server-side sessions live. Values are opaque strings (the BFF seals them with AES-GCM before
 * they get here), so a store only keeps bytes with a time to live: memory by default, Redis to share
 * sessions between instances.
 */
export interface SessionStore {
  /** The value, or `undefined` when absent or expired. With `rolling`, the TTL restarts at `ttlMs`. */
  get(id: string, options: { ttlMs: number; rolling: boolean }): Promise<string | undefined>;
  /** Stores the value for `ttlMs` milliseconds, replacing any previous one. */
  set(id: string, value: string, ttlMs: number): Promise<void>;
  destroy(id: string): Promise<void>;
}

/**
 * Short-lived, single-use entries: login transactions (state, PKCE verifier, nonce, OAuth 1 temporary
 * credential). The registry's `cache` option takes one, so several BFF instances can share them.
 */
export interface TransactionCache {
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Reads and deletes in one step, so two callbacks can never both use one transaction. */
  take(key: string): Promise<string | undefined>;
}
