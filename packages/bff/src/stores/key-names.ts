import { createHmac } from 'node:crypto';
import { ConfigurationError } from '@latchkey/common';
import { createRecencyCache } from './recency-cache.js';
import { deriveKeys } from './sealed.js';

/**
 * The names the BFF gives store entries. A session id is the cookie's value and a login's `state`
 * is what its callback proves, so neither appears in a key name: anyone who can list keys (a replica,
 * a backup, a monitoring tool) learns nothing usable. Names are an HMAC-SHA256 of the id under a key
 * derived from the app's `keys`; entries are written under the first key's name and still found
 * under older keys' names while those keys are listed (rotation).
 */
export interface KeyNames {
  /** Store key names of a session, the current one first. */
  session(id: string): Names;
  /** Store key names of a login transaction (its `state` or OAuth 1 `oauth_token`), the current one first. */
  transaction(provider: string, key: string): Names;
  /**
   * Store key names of the sessions index of a provider's `sid` or `sub` (Back-Channel Logout), the
   * current one first: the claim value appears in no key name.
   */
  logoutIndex(provider: string, claim: 'sid' | 'sub', value: string): Names;
  /** Store key names of the replay record of a provider's logout token `jti`, the current one first. */
  logoutTokenId(provider: string, jti: string): Names;
}

/** The current key's name, then older keys' names. */
type Names = readonly [string, ...string[]];

export interface KeyNamesOptions {
  /**
   * Sessions whose names are remembered, least recently used out first; 0 remembers none. `createBff`
   * passes `sessionCacheSize`, so no more session ids are kept than opened sessions are.
   */
  sessionsKept?: number;
}

export function createKeyNames(keys: readonly (string | Buffer)[], options: KeyNamesOptions = {}): KeyNames {
  const [current, ...older] = deriveKeys(keys, 'store key names hmac-sha256');
  if (current === undefined) throw new ConfigurationError('keys', 'keys must contain at least one secret.');
  const sessionsKept = options.sessionsKept ?? 0;
  const names = (label: string, value: string): Names => {
    const name = (key: Buffer) => `latchkey:${label}:${createHmac('sha256', key).update(value, 'utf8').digest('base64url')}`;
    return [name(current), ...older.map(name)];
  };
  // A session's names are needed on every proxied call: each is computed once per session, not per
  // request (an HMAC costs about as much as the rest of the session read).
  const sessionNames = createRecencyCache<Names>(sessionsKept);
  return {
    session(id) {
      let found = sessionNames.get(id);
      if (found === undefined) {
        found = names('session', id);
        sessionNames.set(id, found);
      }
      return found;
    },
    // The provider is inside the HMAC too: a transaction is only found by the provider it was made for.
    transaction: (provider, key) => names('tx', `${provider}\n${key}`),
    logoutIndex: (provider, claim, value) => names(`bcl-${claim}`, `${provider}\n${value}`),
    logoutTokenId: (provider, jti) => names('bcl-jti', `${provider}\n${jti}`),
  };
}
