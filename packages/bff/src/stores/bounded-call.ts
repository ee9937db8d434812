import { BffError } from '../errors.js';
import type { SessionStore, TransactionCache } from './session-store.js';

/**
 * One store call with a deadline: any failure, or no answer within `timeoutMs`, becomes
 * `store_unavailable` (503). ioredis queues commands while it reconnects and waits for ever on a
 * Redis that stopped answering (SIGSTOP, a full network buffer), so the deadline is ours. A call that
 * timed out may still complete later; every write of the BFF tolerates that (compare-and-set, lock
 * tokens, single-use transactions).
 */
export async function boundedCall<T>(run: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BffError('store_unavailable', 'The session store did not answer in time.')), timeoutMs);
  });
  try {
    return await Promise.race([run(), deadline]);
  } catch (cause) {
    if (cause instanceof BffError && cause.code === 'store_unavailable') throw cause;
    throw new BffError('store_unavailable', 'The session store is unavailable.', { cause });
  } finally {
    clearTimeout(timer);
  }
}

/** A session store whose every call the BFF makes is bounded by `timeoutMs` (custom stores included). */
export function boundedSessionStore(store: SessionStore, timeoutMs: number): SessionStore {
  const compareAndSet = store.compareAndSet?.bind(store);
  return {
    get: (id, options) => boundedCall(() => store.get(id, options), timeoutMs),
    set: (id, value, ttlMs) => boundedCall(() => store.set(id, value, ttlMs), timeoutMs),
    destroy: (id) => boundedCall(() => store.destroy(id), timeoutMs),
    ...(compareAndSet === undefined
      ? {}
      : { compareAndSet: (id, expected, value, ttlMs) => boundedCall(() => compareAndSet(id, expected, value, ttlMs), timeoutMs) }),
  };
}

export function boundedTransactionCache(cache: TransactionCache, timeoutMs: number): TransactionCache {
  return {
    set: (key, value, ttlMs) => boundedCall(() => cache.set(key, value, ttlMs), timeoutMs),
    take: (key) => boundedCall(() => cache.take(key), timeoutMs),
  };
}
