import type { Observable } from '@latchkey/browser/state';
import { computed, shallowRef, type ComputedRef } from 'vue';

/** One read-only ref per field of a store's snapshot. */
export type SnapshotRefs<T> = { readonly [K in keyof T]: ComputedRef<T[K]> };

/**
 * The store's snapshot as refs: each changes (and re-renders what reads it) only when its own field
 * does. The store lives as long as the plugin that made it, so the subscription is never ended.
 */
export function snapshotRefs<T extends object>(store: Observable<T>): SnapshotRefs<T> {
  const snapshot = shallowRef(store.getSnapshot());
  store.subscribe(() => (snapshot.value = store.getSnapshot()));
  const keys = Object.keys(snapshot.value) as (keyof T)[];
  return Object.fromEntries(keys.map((key) => [key, computed(() => snapshot.value[key])])) as SnapshotRefs<T>;
}
