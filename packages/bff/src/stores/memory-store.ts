import { ConfigurationError } from '@latchkey/common';
import type { SessionStore, TransactionCache } from './session-store.js';

export interface MemoryStoreOptions {
  /**
   * Most entries kept; past it, expired entries go first, then the least recently written. Default
   * 25000: a full store of sessions is then 64 to 75 MiB of JS heap (2.7 to 3.0 KB per session
   * measured, one provider linked; bench/RESULTS.md).
   */
  maxEntries?: number;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  value: string;
  expiresAt: number;
}

const memoryStores = new WeakSet<object>();

/** True for a store `createMemoryStore` made: `createBff` refuses one used for sessions and login transactions at once. */
export function isMemoryStore(value: unknown): boolean {
  return typeof value === 'object' && value !== null && memoryStores.has(value);
}

/**
 * In-process session store and transaction cache with a TTL and a size bound. Expired entries are
 * dropped when touched and when the bound is reached; no timer runs. For a single BFF instance.
 *
 * Eviction: once a write passes `maxEntries`, every expired entry goes, then the least recently
 * written entries until the bound holds. The BFF keeps sessions and login transactions in two
 * separate stores (`createBff`'s `store` and the registry's `cache`), each with its own bound, so
 * anonymous login starts can only push out other login starts, never a logged-in session.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): SessionStore & TransactionCache {
  const maxEntries = options.maxEntries ?? 25_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new ConfigurationError('maxEntries', 'maxEntries must be a positive integer.');
  }
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  const live = (id: string): Entry | undefined => {
    const entry = entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now()) {
      entries.delete(id);
      return undefined;
    }
    return entry;
  };

  const evict = () => {
    if (entries.size <= maxEntries) return;
    const at = now();
    for (const [id, entry] of entries) {
      if (entry.expiresAt <= at) entries.delete(id);
    }
    // Map iteration is insertion order, and `set` re-inserts: the first keys are the least recently written.
    for (const id of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(id);
    }
  };

  const store: SessionStore & TransactionCache = {
    async get(id, { ttlMs, rolling }) {
      const entry = live(id);
      if (entry !== undefined && rolling) entry.expiresAt = now() + ttlMs;
      return entry?.value;
    },
    async set(id, value, ttlMs) {
      entries.delete(id);
      entries.set(id, { value, expiresAt: now() + ttlMs });
      evict();
    },
    async destroy(id) {
      entries.delete(id);
    },
    async take(key) {
      const entry = live(key);
      entries.delete(key);
      return entry?.value;
    },
    // Atomic: nothing else runs between the comparison and the write.
    async compareAndSet(id, expected, value, ttlMs) {
      if (!(ttlMs > 0) || live(id)?.value !== expected) return false;
      entries.delete(id);
      entries.set(id, { value, expiresAt: now() + ttlMs });
      evict();
      return true;
    },
  };
  memoryStores.add(store);
  return store;
}
