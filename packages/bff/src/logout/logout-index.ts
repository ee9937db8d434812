import { BffError } from '../errors.js';
import type { KeyNames } from '../stores/key-names.js';
import { compareAndSet, type SessionStore } from '../stores/session-store.js';
import type { LoginIndex } from '../session/login-index.js';
import type { ProviderLogin } from '../session/session-record.js';

/**
 * Which sessions came from which provider login (OpenID Connect Back-Channel Logout 1.0 section 2.7):
 * per provider and `sid`, and per provider and `sub`, the store keys of the sessions holding them. It
 * lives in the session store, so every instance sharing sessions shares it, under key names that are a
 * keyed hash of the claim (a listing of keys shows no subject). Every change is a compare-and-set, so
 * two logins of one user at once are both indexed.
 *
 * An ended entry also remembers when the provider ended it (the logout token's `iat`), so a login
 * whose ID token is no newer, completing while or just after the token arrives, is refused when it is
 * indexed rather than outliving the logout.
 */
export interface LogoutIndex extends LoginIndex {
  /**
   * Destroys every session indexed under the provider's `sid` (or `sub`), empties that entry, and marks
   * it ended at `endedAt` (the provider's epoch seconds) for `markMs`; resolves how many sessions there were.
   */
  end(provider: string, claim: 'sid' | 'sub', value: string, ended: { endedAt: number; markMs: number }): Promise<number>;
}

/** Sessions kept per entry: a subject logged in on more devices than this loses the oldest from the index. */
const MAX_SESSIONS_PER_ENTRY = 100;
/** Compare-and-set attempts before an entry that keeps changing is given up on. */
const MAX_WRITE_ATTEMPTS = 8;
/** The store keeps an entry this much longer than its last deadline (clock skew between instances). */
const STORE_GRACE_MS = 10_000;

interface Entry {
  /** Session store key -> its deadline, in ms since the epoch. */
  sessions: Map<string, number>;
  /** When the provider ended this login (its epoch seconds), remembered until `until` (ours, in ms). */
  ended?: { at: number; until: number };
}

function parse(value: string | undefined): Entry {
  const entry: Entry = { sessions: new Map() };
  if (value === undefined) return entry;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null) return entry;
    const { s, e } = parsed as { s?: unknown; e?: unknown };
    if (typeof s === 'object' && s !== null) {
      for (const [key, expiresAt] of Object.entries(s)) if (typeof expiresAt === 'number') entry.sessions.set(key, expiresAt);
    }
    if (Array.isArray(e) && typeof e[0] === 'number' && typeof e[1] === 'number') entry.ended = { at: e[0], until: e[1] };
  } catch {
    // Not a value this index wrote: treated as empty, and replaced at the next write.
  }
  return entry;
}

function serialize(entry: Entry): string {
  return JSON.stringify({
    s: Object.fromEntries(entry.sessions),
    ...(entry.ended === undefined ? {} : { e: [entry.ended.at, entry.ended.until] }),
  });
}

interface IndexOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
}

export function createLogoutIndex(store: SessionStore, names: KeyNames, options: IndexOptions): LogoutIndex {
  const { now } = options;
  /** Each login's entries (its `sub`'s and, when it has one, its `sid`'s), with the login. */
  const entriesOf = (logins: Readonly<Record<string, ProviderLogin>>): [string, ProviderLogin][] =>
    Object.entries(logins).flatMap(([provider, login]): [string, ProviderLogin][] => [
      [names.logoutIndex(provider, 'sub', login.sub)[0], login],
      ...(login.sid === undefined ? [] : [[names.logoutIndex(provider, 'sid', login.sid)[0], login] as [string, ProviderLogin]]),
    ]);

  /** Rewrites one entry with `change` (read again and retried when another write came first); `undefined` leaves it. */
  const rewrite = async (key: string, change: (entry: Entry) => Promise<Entry | undefined> | Entry | undefined): Promise<void> => {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const stored = await store.get(key, { ttlMs: 0, rolling: false });
      const at = now();
      const entry = parse(stored);
      for (const [session, expiresAt] of entry.sessions) if (expiresAt <= at) entry.sessions.delete(session);
      if (entry.ended !== undefined && entry.ended.until <= at) delete entry.ended;
      const changed = await change(entry);
      if (changed === undefined) return;
      // The latest deadlines stay when the entry is full.
      const kept = [...changed.sessions].sort((a, b) => b[1] - a[1]).slice(0, MAX_SESSIONS_PER_ENTRY);
      const next: Entry = { sessions: new Map(kept), ...(changed.ended === undefined ? {} : { ended: changed.ended }) };
      const last = Math.max(at, next.ended?.until ?? at, ...kept.map(([, expiresAt]) => expiresAt));
      // An entry left with nothing is written with the shortest life a store takes, so it ends at once.
      const ttlMs = last === at ? 1 : last - at + STORE_GRACE_MS;
      if (await compareAndSet(store, key, stored, serialize(next), ttlMs)) return;
    }
    throw new BffError('internal_error', 'The logout index changed under every attempt to write it.');
  };

  return {
    async link(sessionKey, logins, expiresAt) {
      await Promise.all(
        entriesOf(logins).map(([key, login]) =>
          rewrite(key, (entry) => {
            // The provider ended this login (or the user's logins) no earlier than it issued the ID token.
            if (entry.ended !== undefined && login.iat <= entry.ended.at) {
              throw new BffError('login_failed', 'The provider ended this login before it completed.');
            }
            entry.sessions.set(sessionKey, expiresAt);
            return entry;
          }),
        ),
      );
    },

    async unlink(sessionKey, logins) {
      await Promise.all(entriesOf(logins).map(([key]) => rewrite(key, (entry) => (entry.sessions.delete(sessionKey) ? entry : undefined))));
    },

    async end(provider, claim, value, { endedAt, markMs }) {
      const ended = new Set<string>();
      const [current, ...older] = names.logoutIndex(provider, claim, value);
      const endEntry = async (entry: Entry) => {
        const found = [...entry.sessions.keys()].filter((session) => !ended.has(session));
        await Promise.all(found.map((session) => store.destroy(session)));
        for (const session of found) ended.add(session);
        for (const session of ended) entry.sessions.delete(session);
        return entry;
      };
      // Only what was ended is taken out: a newer login indexed meanwhile stays for the next logout token.
      await rewrite(current, async (entry) => {
        const done = await endEntry(entry);
        done.ended = { at: Math.max(endedAt, entry.ended?.at ?? endedAt), until: Math.max(now() + markMs, entry.ended?.until ?? 0) };
        return done;
      });
      // Sessions indexed under an older key's name, before a rotation of `keys`.
      for (const key of older) await rewrite(key, async (entry) => (entry.sessions.size === 0 ? undefined : endEntry(entry)));
      return ended.size;
    },
  };
}
