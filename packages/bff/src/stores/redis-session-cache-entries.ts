import { createRecencyCache } from './recency-cache.js';

/** A value kept in memory and the time (ms since the epoch) after which Redis no longer holds it. */
export interface CachedValue {
  value: string;
  expiresAt: number;
}

/** Values by Redis key, at most `maxEntries`, the least recently used dropped first (`createRecencyCache`). */
export class CachedValues {
  readonly #entries;

  constructor(maxEntries: number) {
    this.#entries = createRecencyCache<CachedValue>(maxEntries);
  }

  /** The value still live at `now`; an expired one is dropped. */
  get(key: string, now: number): string | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > now) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, entry: CachedValue): void {
    this.#entries.set(key, entry);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
