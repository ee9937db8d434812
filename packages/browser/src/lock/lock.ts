import { createKeyedLock } from '@latchkey/common';

/**
 * Mutual exclusion by name. Everyone who shares a lock object (or, for Web Locks, an origin) and a name
 * runs one task at a time. Refreshes and callback claims run under it, because refresh tokens rotate:
 * two tabs refreshing with the same one would make the provider revoke the whole family.
 */
export interface AuthLock {
  /** Runs `task` once the lock `name` is held and releases it when the task settles. */
  run<T>(name: string, task: () => Promise<T>): Promise<T>;
}

/** A lock inside one JavaScript realm (one tab): `createKeyedLock` of `@latchkey/common`. */
export const createMemoryLock: () => AuthLock = createKeyedLock;

/** The Web Locks API: exclusive across every tab and worker of the origin, released if a tab dies. */
export function createWebLock(locks: LockManager = navigator.locks): AuthLock {
  // `request` resolves with what the callback resolves with; its DOM typing wraps it once more.
  return { run: <T>(name: string, task: () => Promise<T>) => locks.request(name, task) as Promise<T> };
}

// One in-page lock for every client created without Web Locks, so two instances that share a storage
// (and so a namespace, and so lock names) also share the lock.
let pageLock: AuthLock | undefined;

/** Web Locks when the browser has them (every current one does), else the page-wide memory lock. */
export function defaultLock(): AuthLock {
  if (typeof navigator !== 'undefined' && navigator.locks) return createWebLock(navigator.locks);
  return (pageLock ??= createKeyedLock());
}
