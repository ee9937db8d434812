/**
 * Where server-side sessions live. Values are opaque strings (the BFF seals them with AES-GCM before
 * they get here) under opaque key names (a keyed hash of the session id), so a store only keeps bytes
 * with a time to live: memory by default, Redis to share sessions between instances.
 */
export interface SessionStore {
  /** The value, or `undefined` when absent or expired. With `rolling`, the TTL restarts at `ttlMs`. */
  get(id: string, options: { ttlMs: number; rolling: boolean }): Promise<string | undefined>;
  /** Stores the value for `ttlMs` milliseconds, replacing any previous one. */
  set(id: string, value: string, ttlMs: number): Promise<void>;
  destroy(id: string): Promise<void>;
  /**
   * Stores `value` only while the entry still holds `expected` (`undefined`: only while it is absent),
   * in one atomic step; answers whether it did. The BFF writes sessions with it, so a write prepared
   * from what it read never brings back a session a logout destroyed in between, nor undoes another
   * write. Both built-in stores have it; without it, the BFF reads, compares and sets in three steps.
   */
  compareAndSet?(id: string, expected: string | undefined, value: string, ttlMs: number): Promise<boolean>;
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

/**
 * `store.compareAndSet`, or for a store without it the same check in three steps, which narrows a race
 * with a concurrent write to the time between them.
 */
export async function compareAndSet(
  store: SessionStore,
  key: string,
  expected: string | undefined,
  value: string,
  ttlMs: number,
): Promise<boolean> {
  if (store.compareAndSet !== undefined) return store.compareAndSet(key, expected, value, ttlMs);
  if ((await store.get(key, { ttlMs, rolling: false })) !== expected) return false;
  await store.set(key, value, ttlMs);
  return true;
}
