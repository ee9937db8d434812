import { BffError } from '../errors.js';
import type { SessionStore, TransactionCache } from './session-store.js';

/** A failure of the store as the BFF reports it; one already reported passes through unchanged. */
const unavailable = (cause: unknown) =>
  cause instanceof BffError && cause.code === 'store_unavailable'
    ? cause
    : new BffError('store_unavailable', 'The session store is unavailable.', { cause });

const SETTLED = Promise.resolve();

/** `run()`, with a synchronous throw turned into a rejection. */
function started<T>(run: () => Promise<T>): Promise<T> {
  try {
    return run();
  } catch (cause) {
    return Promise.reject(cause);
  }
}

/**
 * One store call with a deadline: any failure, or no answer within `timeoutMs`, becomes
 * `store_unavailable` (503). ioredis queues commands while it reconnects and waits for ever on a
 * Redis that stopped answering (SIGSTOP, a full network buffer), so the deadline is ours. A call that
 * timed out may still complete later; every write of the BFF tolerates that (compare-and-set, lock
 * tokens, single-use transactions).
 *
 * The deadline is armed only for a call still pending a microtask after it started: the memory store
 * has answered by then, and a timer set and cleared on every proxied call cost a third of the session
 * read.
 */
export function boundedCall<T>(run: () => Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    started(run).then(
      (value) => {
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (cause: unknown) => {
        settled = true;
        clearTimeout(timer);
        reject(unavailable(cause));
      },
    );
    // Queued after the reactions of a call that has already answered, so it finds those settled. A
    // reaction of a settled promise, not `queueMicrotask`, which makes an AsyncResource every call.
    SETTLED.then(() => {
      if (!settled)
        timer = setTimeout(() => reject(new BffError('store_unavailable', 'The session store did not answer in time.')), timeoutMs);
    });
  });
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
