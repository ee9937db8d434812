/**
 * Mutual exclusion by key inside one JavaScript realm (a tab, a Node process): tasks of one key run one at
 * a time, in call order. The SDK's in-page lock and the BFF's in-process refresh lock are this one, since
 * refresh tokens rotate: two refreshes with the same one make the provider revoke the whole family.
 */
export interface KeyedLock {
  /** Runs `task` once the lock `key` is held and releases it when the task settles. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/** A promise chain per key, whose entry goes once its last task has settled. */
export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<void>>();
  return {
    run(key, task) {
      const result = (tails.get(key) ?? Promise.resolve()).then(task);
      // Once settled, the entry goes, unless a later task has queued behind it.
      const release = () => void (tails.get(key) === tail && tails.delete(key));
      const tail: Promise<void> = result.then(release, release);
      tails.set(key, tail);
      return result;
    },
  };
}
