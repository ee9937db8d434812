/**
 * Serializes token refreshes per key (a session and provider), so that many concurrent API calls with
 * an expired token cause one refresh. With refresh-token rotation a second refresh would use a spent
 * refresh token, and reuse detection would revoke the whole grant. A Redis lock does the same across
 * BFF instances.
 */
export interface RefreshLock {
  /** Runs `task` once no other holder of `key` is running; resolves with its result. */
  withLock<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/** A per-process lock: a promise chain per key, removed when its last holder finishes. */
export function createInProcessLock(): RefreshLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const run = previous.then(task, task);
      const tail = run.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      try {
        return await run;
      } finally {
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}
