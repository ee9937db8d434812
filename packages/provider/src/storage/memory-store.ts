import { ConfigurationError } from '@latchkey/common';
import type { KeyValueStore } from './key-value-store.js';
import { recordClassOf, type RecordClass } from './record-class.js';
import { StorageFullError } from './storage-full-error.js';

export interface MemoryKeyValueStoreOptions {
  /** Milliseconds since the epoch; defaults to `Date.now`. Tests pass a fake clock to expire things. */
  now?: () => number;
  /**
   * Durable records (grants, codes, tokens, OAuth 1 token credentials, reuse and revocation markers, login
   * sessions, clients) kept at most. Past it, once expired ones are swept, a new one is refused with
   * `StorageFullError`; a live one is never dropped to make room. Default 100,000.
   */
  maxEntries?: number;
  /** Pending records (authorization requests, OAuth 1 temporary credentials) kept at most; past it the oldest go. Default 10,000. */
  maxPendingEntries?: number;
  /** OAuth 1 nonces kept at most; past it, once expired ones are swept, a new one is refused with `StorageFullError`. Default 100,000. */
  maxNonceEntries?: number;
}

export const DEFAULT_MEMORY_STORE_BOUNDS: Readonly<Record<RecordClass, number>> = Object.freeze({
  durable: 100_000,
  pending: 10_000,
  nonce: 100_000,
});

interface Entry {
  value: unknown;
  expiresAt: number;
}

/** The records of one class, in write order (a Map iterates in insertion order: oldest first). */
interface Pool {
  readonly recordClass: RecordClass;
  readonly bound: number;
  readonly entries: Map<string, Entry>;
  /** When a full pool may sweep its expired entries next: not before one can have expired, at most once a second. */
  nextSweep: number;
}

// A full pool of live records sweeps (a pass over all of them) at most this often, so a flood against
// a full store costs a refusal per request, not a pass over the store per request.
const SWEEP_INTERVAL_MS = 1000;

function checkBound(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigurationError(name, `${name} must be a positive integer.`);
  return value;
}

/**
 * The default in-process store. Values are deep-copied so callers cannot mutate stored state.
 *
 * Each record class (`recordClassOf`) has a bound of its own, so anonymous traffic cannot push out what
 * signed-in users hold:
 * - `pending` records, which anyone can create and whose loss only restarts a sign-in, are evicted oldest
 *   written first when their bound is reached;
 * - `durable` records and `nonce`s are never evicted while live: at the bound, expired ones are swept and,
 *   if none has expired, the new record is refused with `StorageFullError`. Dropping a live one instead
 *   would silently log a user out, forget an OAuth 1 token credential (they never expire), or let a stolen
 *   refresh token or a replayed nonce through; a refusal is loud and undoes nothing that was granted.
 */
export function createMemoryKeyValueStore(options: MemoryKeyValueStoreOptions = {}): KeyValueStore {
  const now = options.now ?? Date.now;
  const pool = (recordClass: RecordClass, bound: number): Pool => ({
    recordClass,
    bound,
    entries: new Map(),
    nextSweep: Number.POSITIVE_INFINITY,
  });
  const pools: Record<RecordClass, Pool> = {
    durable: pool('durable', checkBound('maxEntries', options.maxEntries, DEFAULT_MEMORY_STORE_BOUNDS.durable)),
    pending: pool('pending', checkBound('maxPendingEntries', options.maxPendingEntries, DEFAULT_MEMORY_STORE_BOUNDS.pending)),
    nonce: pool('nonce', checkBound('maxNonceEntries', options.maxNonceEntries, DEFAULT_MEMORY_STORE_BOUNDS.nonce)),
  };

  const live = (key: string): Entry | undefined => {
    const { entries } = pools[recordClassOf(key)];
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const sweep = (target: Pool, at: number) => {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [key, entry] of target.entries) {
      if (entry.expiresAt <= at) target.entries.delete(key);
      else earliest = Math.min(earliest, entry.expiresAt);
    }
    target.nextSweep = Math.max(earliest, at + SWEEP_INTERVAL_MS);
  };

  /** Frees one place in a full pool, or throws `StorageFullError`. */
  const makeRoom = (target: Pool) => {
    if (target.recordClass === 'pending') {
      const oldest = target.entries.keys().next().value;
      if (oldest !== undefined) target.entries.delete(oldest);
      return;
    }
    const at = now();
    if (at >= target.nextSweep) sweep(target, at);
    if (target.entries.size >= target.bound) throw new StorageFullError(target.recordClass, target.bound);
  };

  const write = (key: string, value: unknown, ttlSeconds?: number) => {
    const target = pools[recordClassOf(key)];
    const expiresAt = ttlSeconds === undefined ? Number.POSITIVE_INFINITY : now() + ttlSeconds * 1000;
    const copy = structuredClone(value);
    // Re-inserted so the Map stays in write order; a replaced key takes no new place.
    if (!target.entries.delete(key) && target.entries.size >= target.bound) makeRoom(target);
    target.entries.set(key, { value: copy, expiresAt });
    target.nextSweep = Math.min(target.nextSweep, Math.max(expiresAt, now() + SWEEP_INTERVAL_MS));
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
      pools[recordClassOf(key)].entries.delete(key);
      return entry.value as T;
    },
    async delete(key) {
      const existed = live(key) !== undefined;
      pools[recordClassOf(key)].entries.delete(key);
      return existed;
    },
  };
}
