import type { DPoPPrivateJwk } from '../dpop/dpop-key.js';
import type { KeyNames } from '../stores/key-names.js';
import type { Sealer } from '../stores/sealed.js';
import type { TransactionCache } from '../stores/session-store.js';

/**
 * One login in progress, keyed by its `state` (OAuth 2) or temporary `oauth_token` (OAuth 1) rather
 * than one slot per session, so logins started in two tabs both complete. Single use, short lived,
 * and bound to the browser that started it (a hash of its login-binding cookie).
 */
export interface LoginTransaction {
  provider: string;
  returnTo: string;
  redirectUri: string;
  binding: string;
  /** OAuth 2 (RFC 7636 section 4.1); absent when PKCE is off for the provider. */
  codeVerifier?: string;
  /** OIDC Core section 3.1.2.1. */
  nonce?: string;
  /**
   * The login's DPoP key (RFC 9449 section 10), made before the authorization request so the code is bound
   * to it; absent when DPoP is off, and in transactions stored before codes were bound.
   */
  dpopKey?: DPoPPrivateJwk;
  /** OAuth 1 temporary credential secret, unless `saveRequestToken` keeps it. */
  oauthTokenSecret?: string;
}

/**
 * The key of a browser's latest OAuth 1 login, kept without its secret beside the real transaction: a
 * refusal that names no temporary credential (Authlib sends `error=access_denied` alone) still finds
 * the login's `returnTo`. It completes nothing, since it holds no credential secret.
 */
export const refusalKey = (binding: string) => `refusal:${binding}`;

export interface TransactionStore {
  save(key: string, transaction: LoginTransaction): Promise<void>;
  /** Returns and deletes the transaction; `undefined` when unknown, used or expired. */
  take(provider: string, key: string): Promise<LoginTransaction | undefined>;
}

/**
 * Transactions hold a PKCE verifier or a credential secret, so they are sealed in the cache too, with
 * their provider and key as additional data; the cache key is a keyed hash of them, since a `state`
 * in a key name is what a forged callback would need.
 */
export function createTransactionStore(cache: TransactionCache, sealer: Sealer, names: KeyNames, ttlMs: number): TransactionStore {
  const sealingId = (provider: string, key: string) => `latchkey:tx:${provider}:${key}`;
  return {
    async save(key, transaction) {
      await cache.set(
        names.transaction(transaction.provider, key)[0],
        sealer.seal(JSON.stringify(transaction), sealingId(transaction.provider, key)),
        ttlMs,
      );
    },
    async take(provider, key) {
      // Taken, not read: a used transaction is gone, so a replayed callback is refused (single use).
      for (const name of names.transaction(provider, key)) {
        const sealed = await cache.take(name);
        if (sealed === undefined) continue;
        const json = sealer.open(sealed, sealingId(provider, key));
        return json === undefined ? undefined : (JSON.parse(json) as LoginTransaction);
      }
      return undefined;
    },
  };
}
