import type { Sealer } from '../stores/sealed.js';
import type { SessionStore } from '../stores/session-store.js';
import { SESSION_ID_PATTERN } from './session-cookie.js';
import { asSessionData, type BffSessionData } from './session-data.js';

/** A session as koa-session hands it to the store: our data plus its `_expire` / `_maxAge` fields. */
export type SessionRecord = BffSessionData & { _expire?: number; _maxAge?: number };

/**
 * Reads and writes sealed session records. Values are sealed with AES-GCM under the app's keys with the
 * store key as additional data, so the store never holds a readable token.
 */
export interface SessionRecords {
  read(id: string): Promise<SessionRecord | undefined>;
  write(id: string, record: SessionRecord, ttlMs: number): Promise<void>;
  destroy(id: string): Promise<void>;
}

export const storeKeyOf = (id: string) => `latchkey:session:${id}`;

export function createSessionRecords(store: SessionStore, sealer: Sealer, maxAgeMs: number, now: () => number): SessionRecords {
  return {
    async read(id) {
      if (!SESSION_ID_PATTERN.test(id)) return undefined;
      const key = storeKeyOf(id);
      const sealed = await store.get(key, { ttlMs: maxAgeMs, rolling: false });
      const json = sealed === undefined ? undefined : sealer.open(sealed, key);
      if (json === undefined) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(json);
      } catch {
        return undefined;
      }
      const data = asSessionData(parsed) as SessionRecord | undefined;
      if (data === undefined || (typeof data._expire === 'number' && data._expire <= now())) return undefined;
      return data;
    },
    async write(id, record, ttlMs) {
      const key = storeKeyOf(id);
      await store.set(key, sealer.seal(JSON.stringify(record), key), ttlMs);
    },
    async destroy(id) {
      await store.destroy(storeKeyOf(id));
    },
  };
}
