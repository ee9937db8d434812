import type { PreviousToken } from './token-hooks.js';
import type { OAuth2Token } from './token.js';

/**
 * Refreshed tokens the store did not take (a Redis outage mid-refresh), kept in this process by refresh
 * lock key until a write succeeds. With rotation the provider has already spent the old refresh token:
 * dropping the new one would log the user out, and using the old one again would trip reuse detection
 * (RFC 9700 section 4.14.2) and revoke the grant.
 */
export interface UnsavedToken {
  /** Identity of the token this one replaced: while the store still holds that one, this one is newer. */
  replaces: string;
  token: OAuth2Token;
  previous: PreviousToken;
}

export interface UnsavedTokens {
  readonly size: number;
  get(key: string): UnsavedToken | undefined;
  set(key: string, entry: UnsavedToken): void;
  delete(key: string): void;
}

/** At most `limit` entries, the oldest dropped first (`onDrop` tells the log which). */
export function createUnsavedTokens(limit: number, onDrop: (key: string) => void): UnsavedTokens {
  const entries = new Map<string, UnsavedToken>();
  return {
    get size() {
      return entries.size;
    },
    get: (key) => entries.get(key),
    set(key, entry) {
      entries.delete(key);
      entries.set(key, entry);
      if (entries.size <= limit) return;
      const oldest = entries.keys().next().value as string;
      entries.delete(oldest);
      onDrop(oldest);
    },
    delete: (key) => void entries.delete(key),
  };
}
