import { BffError } from '../errors.js';

/** The calls waiting for one fence, and its deadline. */
interface Batch {
  promise: Promise<void>;
  settle(error?: BffError): void;
}

function openBatch(timeoutMs: number): Batch {
  let resolve!: () => void;
  let reject!: (error: BffError) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  let done = false;
  const timer = setTimeout(() => batch.settle(new BffError('store_unavailable', 'The session store did not answer in time.')), timeoutMs);
  const batch: Batch = {
    promise,
    settle(error) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error === undefined) resolve();
      else reject(error);
    },
  };
  return batch;
}

/**
 * A fence shared by concurrent reads. `wait()` resolves once a `ping` sent after the call was made has
 * been answered. With no ping out, the calls made in this turn of the event loop share one, sent at
 * `setImmediate`; calls made while one is out share the next, sent when it answers. So a burst of N
 * reads costs one or two pings, not N.
 *
 * Every waiter fails with `store_unavailable` no later than `timeoutMs` after the first call of its
 * batch was made (one timer per batch, not per call). A ping that has not answered by then frees the
 * slot, so a stalled connection never holds the next batch back beyond its own deadline.
 */
export function createSharedFence(ping: () => Promise<unknown>, timeoutMs: number): { wait(): Promise<void> } {
  /** The batch whose ping is out, and the one that waits for it to answer. */
  let out: Batch | undefined;
  let next: Batch | undefined;

  const send = (batch: Batch) => {
    out = batch;
    const answered = (error?: BffError) => {
      batch.settle(error);
      if (out !== batch) return;
      out = undefined;
      sendWaiting();
    };
    // A batch past its deadline frees the slot even if its ping never answers.
    batch.promise.catch(() => answered());
    ping().then(
      () => answered(),
      (cause: unknown) => answered(new BffError('store_unavailable', 'The session store is unavailable.', { cause })),
    );
  };

  // A fence with none out leaves once the reads that began in this turn of the event loop (the
  // requests parsed from one batch of socket reads) have joined it.
  let scheduled = false;
  const sendWaiting = () => {
    scheduled = false;
    if (out !== undefined || next === undefined) return;
    const waiting = next;
    next = undefined;
    send(waiting);
  };

  return {
    wait() {
      next ??= openBatch(timeoutMs);
      if (out === undefined && !scheduled) {
        scheduled = true;
        setImmediate(sendWaiting);
      }
      return next.promise;
    },
  };
}
