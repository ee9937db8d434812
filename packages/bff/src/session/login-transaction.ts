import { createHash } from 'node:crypto';
import type { Sealer } from '../stores/sealed.js';
import type { TransactionCache } from '../stores/session-store.js';

/**
 * One login in progress, keyed by its `state` (OAuth 2) or temporary `oauth_token` (OAuth 1) rather
 * than one slot per session, so logins started in two tabs both complete. Single use, short lived,
 * and bound to the browser session that started it (a hash of its id).
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
  /** OAuth 1 temporary credential secret, unless `saveRequestToken` keeps it. */
  oauthTokenSecret?: string;
}

export interface TransactionStore {
  save(key: string, transaction: LoginTransaction): Promise<void>;
  /** Returns and deletes the transaction; `undefined` when unknown, used or expired. */
  take(provider: string, key: string): Promise<LoginTransaction | undefined>;
}

export function sessionBinding(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url');
}

/** Transactions hold a PKCE verifier or a credential secret, so they are sealed in the cache too. */
export function createTransactionStore(cache: TransactionCache, sealer: Sealer, ttlMs: number): TransactionStore {
  const cacheKey = (provider: string, key: string) => `latchkey:tx:${provider}:${key}`;
  return {
    async save(key, transaction) {
      const id = cacheKey(transaction.provider, key);
      await cache.set(id, sealer.seal(JSON.stringify(transaction), id), ttlMs);
    },
    async take(provider, key) {
      const id = cacheKey(provider, key);
      const sealed = await cache.take(id);
      const json = sealed === undefined ? undefined : sealer.open(sealed, id);
      return json === undefined ? undefined : (JSON.parse(json) as LoginTransaction);
    },
  };
}
