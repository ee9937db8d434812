import type { AuthStorage } from './storage.js';

/**
 * Storage that lives as long as the page (or the test). Values are cloned on the way in and out, as
 * IndexedDB would, so a caller mutating a returned object cannot change what is stored.
 */
export function createMemoryStorage(): AuthStorage {
  const values = new Map<string, unknown>();
  return {
    get: async <T>(key: string) => (values.has(key) ? (structuredClone(values.get(key)) as T) : undefined),
    set: async (key, value) => void values.set(key, structuredClone(value)),
    del: async (key) => void values.delete(key),
  };
}
