import { AuthError } from '../errors/auth-error.js';
import type { AuthLock } from '../lock/lock.js';
import type { AuthStorage } from '../storage/storage.js';
import type { DPoPKey } from './dpop-key.js';

/** A started login, keyed by its `state`. */
interface PendingLogin {
  codeVerifier: string;
  /** Present when `openid` was requested. */
  nonce?: string | undefined;
  returnTo: string;
  /** The login's DPoP key, when the client has DPoP. */
  dpop?: DPoPKey | undefined;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** What replaces a transaction once a callback claimed it: no verifier left, only the fact. */
interface UsedMarker {
  used: true;
  expiresAt: number;
}

type Table = Record<string, PendingLogin | UsedMarker>;

/** How long a used or expired entry is kept after its expiry, to tell "used"/"expired" from "unknown". */
const RETAIN_MS = 24 * 3600 * 1000;

export interface PendingLoginStore {
  put(state: string, transaction: PendingLogin): Promise<void>;
  /**
   * Takes the transaction for `state` and leaves a used marker in its place, under the lock, so two
   * tabs (or a reload) cannot both get it. Throws `state_mismatch`, `state_used` or `state_expired`.
   */
  claim(state: string): Promise<PendingLogin>;
}

/** All transactions of a client in one record, changed only under the lock; stale entries swept on each change. */
export function createPendingLoginStore(storage: AuthStorage, key: string, lock: AuthLock, now: () => number): PendingLoginStore {
  const change = <T>(edit: (table: Table) => T) =>
    lock.run(`${key}:lock`, async () => {
      const table: Table = { ...(await storage.get<Table>(key)) };
      const result = edit(table);
      const time = now();
      for (const [state, entry] of Object.entries(table)) {
        if (entry.expiresAt + RETAIN_MS < time) delete table[state];
      }
      await storage.set(key, table);
      return result;
    });

  return {
    put: (state, transaction) =>
      change((table) => {
        table[state] = transaction;
      }),
    async claim(state) {
      const found = await change((table) => {
        // `state` comes from the URL: own properties only, so `__proto__` and friends are unknown.
        const entry = Object.hasOwn(table, state) ? table[state] : undefined;
        if (entry) table[state] = { used: true, expiresAt: entry.expiresAt };
        return entry;
      });
      if (!found) throw new AuthError('state_mismatch');
      if ('used' in found) throw new AuthError('state_used');
      if (found.expiresAt <= now()) throw new AuthError('state_expired');
      return found;
    },
  };
}
