import { createKeyedLock } from '@latchkey/common';

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

/** A per-process lock: `createKeyedLock` of `@latchkey/common`, the SDK's in-page lock too. */
export function createInProcessLock(): RefreshLock {
  const lock = createKeyedLock();
  return { withLock: (key, task) => lock.run(key, task) };
}
