/**
 * State that changes over time, in the shape UI bindings read: React's
 * `useSyncExternalStore(subscribe, getSnapshot)`, or a Vue `shallowRef` set from `subscribe`.
 */
export interface Observable<T> {
  /** The current snapshot: a frozen object, the same one until something changes. */
  getSnapshot(): T;
  /** Calls `listener` after every change; returns the function that stops. */
  subscribe(listener: () => void): () => void;
}

/** A state with the last failure in it. */
export interface WithError {
  readonly error: Error | null;
}

/** The writing side of a store's snapshots. */
export interface Snapshots<T extends WithError> extends Observable<T> {
  /** Rebuilds the snapshot; publishes it when a field changed. */
  update(): void;
  /** Sets `error` (`null` clears it) and publishes. */
  setError(error: Error | null): void;
  /** For `.catch()`: records a rejection as `error`, then rethrows it. */
  fail(cause: unknown): never;
}

const sameFields = <T extends object>(a: T, b: T): boolean => (Object.keys(a) as (keyof T)[]).every((key) => Object.is(a[key], b[key]));

/**
 * Snapshots built by `read()` plus the `error` kept here. Each change replaces the whole snapshot, so
 * a render never sees half an update; an update that changes no field keeps the old snapshot and
 * tells nobody, so nothing re-renders for nothing.
 */
export function createSnapshots<T extends WithError>(read: () => Omit<T, 'error'>): Snapshots<T> {
  let error: Error | null = null;
  const build = () => Object.freeze({ ...read(), error }) as T;
  let snapshot = build();
  const listeners = new Set<() => void>();
  const update = () => {
    const next = build();
    if (sameFields(snapshot, next)) return;
    snapshot = next;
    for (const listener of [...listeners]) listener();
  };
  const setError = (next: Error | null) => {
    error = next;
    update();
  };
  return {
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    update,
    setError,
    fail(cause) {
      // The SDK's failures are `LatchkeyError`s already; anything else still shows as an Error.
      setError(cause instanceof Error ? cause : new Error(String(cause)));
      throw cause;
    },
  };
}
