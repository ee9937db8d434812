import type { KeyValueStore } from './key-value-store.js';

export interface MemoryStoreOptions {
  /** Milliseconds since the epoch; defaults to `Date.now`. Tests pass a fake clock to expire things. */
  now?: () => number;
  /** Entries kept at most; the oldest are evicted past it. Default 100,000. */
  maxEntries?: number;
}

interface Entry {
  value: unknown;
  expiresAt: number;
}

/** The default in-process store. Values are deep-copied so callers cannot mutate stored state. */
export function createMemoryStore(options: MemoryStoreOptions = {}): KeyValueStore {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 100_000;
  const entries = new Map<string, Entry>();

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const write = (key: string, value: unknown, ttlSeconds?: number) => {
    entries.delete(key); // re-insert so Map order stays oldest-first for eviction
    entries.set(key, {
      value: structuredClone(value),
      expiresAt: ttlSeconds === undefined ? Number.POSITIVE_INFINITY : now() + ttlSeconds * 1000,
    });
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
  };

  return {
    async get<T>(key: string) {
      const entry = live(key);
      return entry ? (structuredClone(entry.value) as T) : undefined;
    },
    async set(key, value, ttlSeconds) {
      write(key, value, ttlSeconds);
    },
    async add(key, value, ttlSeconds) {
      if (live(key)) return false;
      write(key, value, ttlSeconds);
      return true;
    },
    async take<T>(key: string) {
      const entry = live(key);
      if (!entry) return undefined;
      entries.delete(key);
      return entry.value as T;
    },
    async delete(key) {
      const existed = live(key) !== undefined;
      entries.delete(key);
      return existed;
    },
  };
}
