import { BffError } from '../errors.js';
import type { KeyNames } from '../stores/key-names.js';
import { compareAndSet, type SessionStore } from '../stores/session-store.js';
import type { ProviderLogin } from '../session/session-record.js';

/**
 * Which sessions came from which provider login (OpenID Connect Back-Channel Logout 1.0 section 2.7):
 * per provider and `sid`, and per provider and `sub`, the store keys of the sessions holding them. It
 * lives in the session store, so every instance sharing sessions shares it, under key names that are a
 * keyed hash of the claim (a listing of keys shows no subject). Every change is a compare-and-set, so
 * two logins of one user at once are both indexed.
 */
export interface LogoutIndex {
  /** Indexes the session stored under `sessionKey` under each login of `logins` until `expiresAt` (ms since the epoch). */
  link(sessionKey: string, logins: Readonly<Record<string, ProviderLogin>>, expiresAt: number): Promise<void>;
  /** Takes the session stored under `sessionKey` out of the index entries of `logins`. */
  unlink(sessionKey: string, logins: Readonly<Record<string, ProviderLogin>>): Promise<void>;
  /** Destroys every session indexed under the provider's `sid` (or `sub`) and empties that entry; resolves how many there were. */
  end(provider: string, claim: 'sid' | 'sub', value: string): Promise<number>;
}

/** Sessions kept per entry: a subject logged in on more devices than this loses the oldest from the index. */
const MAX_SESSIONS_PER_ENTRY = 100;
/** Compare-and-set attempts before an entry that keeps changing is given up on. */
const MAX_WRITE_ATTEMPTS = 8;
/** The store keeps an entry this much longer than its last session's deadline (clock skew between instances). */
const STORE_GRACE_MS = 10_000;

/** Session store key -> its deadline, in ms since the epoch. */
type Entry = Map<string, number>;

function parse(value: string | undefined): Entry {
  const entry: Entry = new Map();
  if (value === undefined) return entry;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null) return entry;
    for (const [key, expiresAt] of Object.entries(parsed)) if (typeof expiresAt === 'number') entry.set(key, expiresAt);
  } catch {
    // Not a value this index wrote: treated as empty, and replaced at the next write.
  }
  return entry;
}

interface IndexOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
}

export function createLogoutIndex(store: SessionStore, names: KeyNames, options: IndexOptions): LogoutIndex {
  const { now } = options;
  const entryKeys = (logins: Readonly<Record<string, ProviderLogin>>): string[] =>
    Object.entries(logins).flatMap(([provider, login]) => [
      names.logoutIndex(provider, 'sub', login.sub)[0],
      ...(login.sid === undefined ? [] : [names.logoutIndex(provider, 'sid', login.sid)[0]]),
    ]);

  /** Rewrites one entry with `change` (read again and retried when another write came first). */
  const rewrite = async (key: string, change: (entry: Entry) => Promise<Entry | undefined> | Entry | undefined): Promise<void> => {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const stored = await store.get(key, { ttlMs: 0, rolling: false });
      const at = now();
      const entry = parse(stored);
      for (const [session, expiresAt] of entry) if (expiresAt <= at) entry.delete(session);
      const changed = await change(entry);
      if (changed === undefined) return;
      // The latest deadlines stay when the entry is full.
      const kept = [...changed].sort((a, b) => b[1] - a[1]).slice(0, MAX_SESSIONS_PER_ENTRY);
      const last = kept.reduce((latest, [, expiresAt]) => Math.max(latest, expiresAt), at);
      // An emptied entry is written with the shortest life a store takes, so it ends at once.
      const ttlMs = kept.length === 0 ? 1 : last - at + STORE_GRACE_MS;
      if (await compareAndSet(store, key, stored, JSON.stringify(Object.fromEntries(kept)), ttlMs)) return;
    }
    throw new BffError('internal_error', 'The logout index changed under every attempt to write it.');
  };

  return {
    async link(sessionKey, logins, expiresAt) {
      await Promise.all(
        entryKeys(logins).map((key) =>
          rewrite(key, (entry) => {
            entry.set(sessionKey, expiresAt);
            return entry;
          }),
        ),
      );
    },

    async unlink(sessionKey, logins) {
      await Promise.all(entryKeys(logins).map((key) => rewrite(key, (entry) => (entry.delete(sessionKey) ? entry : undefined))));
    },

    async end(provider, claim, value) {
      const ended = new Set<string>();
      // Older keys' names too, for sessions indexed before a rotation of `keys`. Only what was ended is
      // taken out: a login indexed meanwhile stays for the next logout token.
      for (const key of names.logoutIndex(provider, claim, value)) {
        await rewrite(key, async (entry) => {
          if (entry.size === 0) return undefined;
          const found = [...entry.keys()].filter((session) => !ended.has(session));
          await Promise.all(found.map((session) => store.destroy(session)));
          for (const session of found) ended.add(session);
          return new Map([...entry].filter(([session]) => !ended.has(session)));
        });
      }
      return ended.size;
    },
  };
}
