import type { KeyNames } from '../stores/key-names.js';
import { compareAndSet, type SessionStore } from '../stores/session-store.js';

/**
 * The `jti` of every logout token accepted, for as long as a token with it could still be accepted
 * (Back-Channel Logout 1.0 section 2.6, step 10): a replayed token is refused on every instance sharing
 * the store, since the record is added only where absent, in one step.
 */
export interface SeenTokenIds {
  /** Records the provider's `jti` for `ttlMs`; false when it was already recorded. */
  add(provider: string, jti: string, ttlMs: number): Promise<boolean>;
  /** Takes the record back, so the provider's retry of a logout that failed half way is not a replay. */
  forget(provider: string, jti: string): Promise<void>;
}

export function createSeenTokenIds(store: SessionStore, names: KeyNames): SeenTokenIds {
  return {
    async add(provider, jti, ttlMs) {
      const [current, ...older] = names.logoutTokenId(provider, jti);
      // Recorded under an older key's name before a rotation of `keys`: seen as well.
      for (const key of older) if ((await store.get(key, { ttlMs: 0, rolling: false })) !== undefined) return false;
      return compareAndSet(store, current, undefined, '1', ttlMs);
    },
    async forget(provider, jti) {
      await store.destroy(names.logoutTokenId(provider, jti)[0]);
    },
  };
}
