/**
 * The provider's storage: one small async key-value interface with per-key expiry, so any cache
 * (memory, Redis, a database table) can hold clients, codes, tokens, consents and OAuth 1 nonces.
 * Keys are namespaced by the caller (`code:...`, `token:...`, `nonce:...`).
 */
export interface KeyValueStore {
  /** The value, or `undefined` when absent or expired. */
  get<T>(key: string): Promise<T | undefined>;
  /** Stores a value; it expires after `ttlSeconds` when given, else it lives until deleted. */
  set<T>(key: string, value: T, ttlSeconds?: number): Promise<void>;
  /**
   * Stores the value only when the key is absent (or expired); true when it stored it.
   * Atomic: the replay checks (OAuth 1 nonces) rely on exactly one caller winning.
   */
  add<T>(key: string, value: T, ttlSeconds?: number): Promise<boolean>;
  /**
   * Reads and deletes in one step, so a single-use value (an authorization code, a temporary
   * credential) is handed to exactly one caller.
   */
  take<T>(key: string): Promise<T | undefined>;
  /** Deletes the key; true when it existed. */
  delete(key: string): Promise<boolean>;
}
