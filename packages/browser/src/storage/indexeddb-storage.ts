import { createStore, promisifyRequest } from 'idb-keyval';
import type { AuthStorage } from './storage.js';

/**
 * IndexedDB through idb-keyval, in a database of its own: idb-keyval's `createStore` keeps one object
 * store per database, so each client gets one named database (and the keys are namespaced anyway).
 * Opening the database waits for the first read or write. Each operation is one request in a transaction
 * of that store, as idb-keyval's `get`/`set`/`del` do; those default their last argument to idb-keyval's own
 * database, which a bundler then has to keep although the SDK never opens it.
 */
export function createIndexedDbStorage(databaseName: string): AuthStorage {
  const store = createStore(databaseName, 'latchkey');
  const write = (change: (objects: IDBObjectStore) => void) =>
    store('readwrite', (objects) => {
      change(objects);
      return promisifyRequest(objects.transaction);
    });
  return {
    get: (key) => store('readonly', (objects) => promisifyRequest(objects.get(key))),
    set: (key, value) => write((objects) => objects.put(value, key)),
    del: (key) => write((objects) => objects.delete(key)),
  };
}
