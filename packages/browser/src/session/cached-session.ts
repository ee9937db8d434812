import type { AuthStorage } from '../storage/storage.js';
import type { StoredSession } from './session.js';

/** The stored session plus an in-memory copy for the synchronous `user` / `isAuthenticated()`. */
export interface CachedSession {
  /** The last session read or written here; `null` before the first read. */
  readonly cached: StoredSession | null;
  /** Reads storage (another tab may have changed it) and updates the cached copy. */
  read(): Promise<StoredSession | null>;
  write(session: StoredSession): Promise<void>;
  clear(): Promise<void>;
}

export function createCachedSession(storage: AuthStorage, key: string): CachedSession {
  let cached: StoredSession | null = null;
  return {
    get cached() {
      return cached;
    },
    async read() {
      cached = (await storage.get<StoredSession>(key)) ?? null;
      return cached;
    },
    async write(session) {
      await storage.set(key, session);
      cached = session;
    },
    async clear() {
      await storage.del(key);
      cached = null;
    },
  };
}
