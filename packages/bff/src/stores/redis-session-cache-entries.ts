/** A value kept in memory and the time (ms since the epoch) after which Redis no longer holds it. */
export interface CachedValue {
  value: string;
  expiresAt: number;
}

/**
 * Values by Redis key, at most `maxEntries`, the least recently used dropped first. A Map keeps insertion
 * order, so a hit moves its key to the end and the first key is the one to drop.
 */
export class CachedValues {
  readonly #entries = new Map<string, CachedValue>();

  constructor(readonly maxEntries: number) {}

  /** The value still live at `now`; an expired one is dropped. */
  get(key: string, now: number): string | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  set(key: string, entry: CachedValue): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.maxEntries) {
      for (const oldest of this.#entries.keys()) {
        this.#entries.delete(oldest);
        break;
      }
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
