interface Entry<V> {
  value: V;
  /** The cache's write count when the entry was last put at the newest end. */
  writtenAt: number;
}

/**
 * A bounded cache by string key, least recently used out first. A hit moves its entry to the newest end
 * only once more than half the bound has been written since it was last put there: a move is a `Map`
 * delete and set, which cost more than the rest of a hit, and an entry the next write would push out
 * is always one that no lookup found during the last half of the bound's writes. A bound of 0 keeps
 * nothing.
 */
export interface RecencyCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
  clear(): void;
}

export function createRecencyCache<V>(limit: number): RecencyCache<V> {
  // Map order is the order entries were last put at the newest end.
  const entries = new Map<string, Entry<V>>();
  let writes = 0;
  const put = (key: string, value: V) => {
    entries.delete(key);
    entries.set(key, { value, writtenAt: ++writes });
    if (entries.size > limit) entries.delete(entries.keys().next().value as string);
  };
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (writes - entry.writtenAt > limit / 2) put(key, entry.value);
      return entry.value;
    },
    set(key, value) {
      if (limit > 0) put(key, value);
    },
    delete(key) {
      entries.delete(key);
    },
    clear() {
      entries.clear();
    },
  };
}
