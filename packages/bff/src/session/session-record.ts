import { ConfigurationError } from '@latchkey/common';
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
  /** The record, freshly opened: the caller may change it (koa-session, a token being saved). */
  read(id: string): Promise<SessionRecord | undefined>;
  /**
   * The same record from the same one store read, but opened at most once per stored value: the opened
   * record is kept per session id next to the exact sealed value it came from, so any change to the
   * stored value misses. Deep-frozen, since every request of the session shares it.
   */
  readShared(id: string): Promise<Readonly<SessionRecord> | undefined>;
  write(id: string, record: SessionRecord, ttlMs: number): Promise<void>;
  destroy(id: string): Promise<void>;
}

export interface SessionRecordsOptions {
  /** Session lifetime, for the store's TTL. */
  maxAgeMs: number;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Opened records `readShared` keeps, least recently used out first; 0 keeps none. */
  openedCacheSize: number;
}

export const storeKeyOf = (id: string) => `latchkey:session:${id}`;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export function createSessionRecords(store: SessionStore, sealer: Sealer, options: SessionRecordsOptions): SessionRecords {
  const { maxAgeMs, now, openedCacheSize } = options;
  if (!Number.isInteger(openedCacheSize) || openedCacheSize < 0) {
    throw new ConfigurationError('sessionCacheSize', 'sessionCacheSize must be a whole number, 0 or more.');
  }
  /** Session id -> the sealed value last opened for it and what it opened to. Map order is recency. */
  const opened = new Map<string, { sealed: string; record: SessionRecord }>();

  const fetchSealed = async (id: string): Promise<string | undefined> => {
    if (!SESSION_ID_PATTERN.test(id)) return undefined;
    return store.get(storeKeyOf(id), { ttlMs: maxAgeMs, rolling: false });
  };

  const open = (id: string, sealed: string): SessionRecord | undefined => {
    const json = sealer.open(sealed, storeKeyOf(id));
    if (json === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return undefined;
    }
    return asSessionData(parsed) as SessionRecord | undefined;
  };

  const live = (record: SessionRecord | undefined) =>
    record === undefined || (typeof record._expire === 'number' && record._expire <= now()) ? undefined : record;

  return {
    async read(id) {
      const sealed = await fetchSealed(id);
      return sealed === undefined ? undefined : live(open(id, sealed));
    },
    async readShared(id) {
      const sealed = await fetchSealed(id);
      const cached = opened.get(id);
      if (sealed === undefined || openedCacheSize === 0) {
        opened.delete(id);
        return sealed === undefined ? undefined : live(open(id, sealed));
      }
      if (cached !== undefined && cached.sealed === sealed) {
        opened.delete(id);
        opened.set(id, cached);
        return live(cached.record);
      }
      const record = open(id, sealed);
      if (record === undefined) {
        opened.delete(id);
        return undefined;
      }
      opened.delete(id);
      opened.set(id, { sealed, record: deepFreeze(record) });
      if (opened.size > openedCacheSize) opened.delete(opened.keys().next().value as string);
      return live(record);
    },
    async write(id, record, ttlMs) {
      const key = storeKeyOf(id);
      opened.delete(id);
      await store.set(key, sealer.seal(JSON.stringify(record), key), ttlMs);
    },
    async destroy(id) {
      opened.delete(id);
      await store.destroy(storeKeyOf(id));
    },
  };
}
