import { createStore, del, get, set } from 'idb-keyval';
import type { AuthStorage } from './storage.js';

/**
 * IndexedDB through idb-keyval, in a database of its own: idb-keyval's `createStore` keeps one object
 * store per database, so each client gets one named database (and the keys are namespaced anyway).
 * Opening the database waits for the first read or write.
 */
export function createIndexedDbStorage(databaseName: string): AuthStorage {
  const store = createStore(databaseName, 'latchkey');
  return {
    get: <T>(key: string) => get<T>(key, store),
    set: (key, value) => set(key, value, store),
    del: (key) => del(key, store),
  };
}
