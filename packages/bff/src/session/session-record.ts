import { ConfigurationError } from '@latchkey/common';
import type { KeyNames } from '../stores/key-names.js';
import type { Sealer } from '../stores/sealed.js';
import { createRecencyCache } from '../stores/recency-cache.js';
import { compareAndSet, type SessionStore } from '../stores/session-store.js';
import { SESSION_ID_PATTERN } from './session-cookie.js';
import { asSessionData, type BffSessionData } from '../tokens/session-data.js';

/**
 * The OpenID provider login a session came from: the ID token's `sub` and `sid` (OpenID Connect
 * Back-Channel Logout 1.0 section 2.4), which a logout token names, and its `iat`, which tells a login
 * from before a logout from one after it.
 */
export interface ProviderLogin {
  sub: string;
  sid?: string;
  /** The ID token's `iat`, in the provider's epoch seconds. */
  iat: number;
}

/** A stored session: our data and its two deadlines, in milliseconds since the epoch. */
export interface SessionRecord extends BffSessionData {
  /** The session ends here unless it is used again before (the idle lifetime). */
  idleExpiresAt: number;
  /** The session ends here however much it is used (the absolute lifetime, counted from the first login). */
  absoluteExpiresAt: number;
  /** By linked provider, the provider login it came from, for OpenID providers whose ID token named a subject. */
  providerLogins?: Readonly<Record<string, ProviderLogin>>;
}

/** A record as read, with what a write must find in the store to replace it. */
export interface SessionSnapshot {
  /** Deep-frozen: requests of one session share it. */
  record: Readonly<SessionRecord>;
  /** The sealed value read; a write compares against it. */
  sealed: string;
  /** The store key it was read from (an older key's name during a rotation of `keys`). */
  key: string;
}

/**
 * Reads and writes sealed session records. Values are sealed with AES-GCM under the app's keys with the
 * session id as additional data, so the store never holds a readable token and a value copied under
 * another session's key does not open; key names are a keyed hash of the id, never the id. Every write
 * is a compare-and-set against what was read, so no write brings back a destroyed session.
 */
export interface SessionRecords {
  /**
   * The live record, from one store read, opened at most once per stored value: the opened record is
   * kept per session id next to the exact sealed value it came from, so any change to the stored value
   * misses the cache.
   */
  read(id: string): Promise<SessionSnapshot | undefined>;
  /** The store key a new session id is created under (a logout index names sessions by it). */
  keyOf(id: string): string;
  /** Stores the record of a new session id; false if the id is taken. */
  create(id: string, record: SessionRecord): Promise<boolean>;
  /** Replaces the record read as `snapshot`; false if the stored value changed or is gone since. */
  update(id: string, snapshot: SessionSnapshot, record: SessionRecord): Promise<boolean>;
  destroy(id: string): Promise<void>;
  /** Milliseconds until the record ends (the earlier of its two deadlines), for the cookie's Max-Age. */
  lifeLeftMs(record: Readonly<SessionRecord>): number;
}

export interface SessionRecordsOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Opened records `read` keeps, least recently used out first; 0 keeps none. */
  openedCacheSize: number;
}

/** The store keeps a record this much longer than the record's own deadline (clock skew between instances). */
const STORE_GRACE_MS = 10_000;

/** A session read leaves the entry's expiry as it is: only a write sets it. */
const READ_AS_STORED = Object.freeze({ ttlMs: 0, rolling: false });

/** The additional data a session is sealed with: its id, which no store key reveals. */
const sealingId = (id: string) => `latchkey:session:${id}`;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function asSessionRecord(value: unknown): SessionRecord | undefined {
  const data = asSessionData(value);
  if (data === undefined || typeof value !== 'object' || value === null) return undefined;
  const { idleExpiresAt, absoluteExpiresAt, providerLogins } = value as {
    idleExpiresAt?: unknown;
    absoluteExpiresAt?: unknown;
    providerLogins?: unknown;
  };
  if (typeof idleExpiresAt !== 'number' || typeof absoluteExpiresAt !== 'number') return undefined;
  // Sealed by the BFF itself (AES-GCM): past the outer shape its fields are the ones it wrote.
  return typeof providerLogins === 'object' && providerLogins !== null
    ? { ...data, idleExpiresAt, absoluteExpiresAt, providerLogins: providerLogins as Record<string, ProviderLogin> }
    : { ...data, idleExpiresAt, absoluteExpiresAt };
}

/** The provider logins of the providers still in `connections`: a disconnected provider's logout token ends nothing. */
export function loginsOfLinked(
  logins: Readonly<Record<string, ProviderLogin>> | undefined,
  connections: BffSessionData['connections'],
): Record<string, ProviderLogin> {
  return Object.fromEntries(Object.entries(logins ?? {}).filter(([provider]) => Object.hasOwn(connections, provider)));
}

export function createSessionRecords(store: SessionStore, sealer: Sealer, names: KeyNames, options: SessionRecordsOptions): SessionRecords {
  const { now, openedCacheSize } = options;
  if (!Number.isInteger(openedCacheSize) || openedCacheSize < 0) {
    throw new ConfigurationError('sessionCacheSize', 'sessionCacheSize must be a whole number, 0 or more.');
  }
  /** Session id -> the sealed value last opened for it and what it opened to. */
  const opened = createRecencyCache<{ sealed: string; record: SessionRecord }>(openedCacheSize);

  const endOf = (record: Readonly<SessionRecord>) => Math.min(record.idleExpiresAt, record.absoluteExpiresAt);
  const live = (record: SessionRecord | undefined) => (record === undefined || endOf(record) <= now() ? undefined : record);

  const open = (id: string, sealed: string): SessionRecord | undefined => {
    const json = sealer.open(sealed, sealingId(id));
    if (json === undefined) return undefined;
    try {
      return asSessionRecord(JSON.parse(json));
    } catch {
      return undefined;
    }
  };

  const openCached = (id: string, sealed: string): SessionRecord | undefined => {
    const cached = opened.get(id);
    if (cached !== undefined && cached.sealed === sealed) return cached.record;
    opened.delete(id);
    const record = open(id, sealed);
    if (record === undefined) return undefined;
    deepFreeze(record);
    opened.set(id, { sealed, record });
    return record;
  };

  const write = (id: string, key: string, expected: string | undefined, record: SessionRecord) => {
    const ttlMs = endOf(record) - now() + STORE_GRACE_MS;
    opened.delete(id);
    return compareAndSet(store, key, expected, sealer.seal(JSON.stringify(record), sealingId(id)), ttlMs);
  };

  return {
    async read(id) {
      if (!SESSION_ID_PATTERN.test(id)) return undefined;
      // The current key's name first, then older keys' names.
      for (const key of names.session(id)) {
        const sealed = await store.get(key, READ_AS_STORED);
        if (sealed === undefined) continue;
        const record = live(openCached(id, sealed));
        return record === undefined ? undefined : { record, sealed, key };
      }
      opened.delete(id);
      return undefined;
    },
    keyOf: (id) => names.session(id)[0],
    async create(id, record) {
      return write(id, names.session(id)[0], undefined, record);
    },
    async update(id, snapshot, record) {
      return write(id, snapshot.key, snapshot.sealed, record);
    },
    async destroy(id) {
      opened.delete(id);
      await Promise.all(names.session(id).map((key) => store.destroy(key)));
    },
    lifeLeftMs: (record) => Math.max(0, endOf(record) - now()),
  };
}
