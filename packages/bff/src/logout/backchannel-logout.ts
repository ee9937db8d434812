import type { KeyNames } from '../stores/key-names.js';
import type { SessionStore } from '../stores/session-store.js';
import { resolveBackchannelLogout, type BackchannelLogoutOptions } from './backchannel-options.js';
import { createLogoutIndex, type LogoutIndex } from './logout-index.js';
import { createSeenTokenIds, type SeenTokenIds } from './seen-token-ids.js';
import { createLogoutTokenVerifier, type LogoutTokenVerifier } from './verify-logout-token.js';

/** What the back-channel logout route and the session layer share. */
export interface BackchannelLogout {
  verify: LogoutTokenVerifier;
  index: LogoutIndex;
  seen: SeenTokenIds;
  /** How long an accepted `jti` is remembered: as long as a token carrying it could still be accepted, in ms. */
  replayWindowMs: number;
}

/** Resolves the options once; the index and the replay records live in the session store (`store`). */
export function createBackchannelLogout(
  store: SessionStore,
  names: KeyNames,
  now: () => number,
  options: BackchannelLogoutOptions | undefined,
): BackchannelLogout {
  const resolved = resolveBackchannelLogout(options);
  return Object.freeze({
    verify: createLogoutTokenVerifier({ ...resolved, now }),
    index: createLogoutIndex(store, names, { now }),
    seen: createSeenTokenIds(store, names),
    // A token is accepted up to maxTokenAge past its iat, and an iat up to the tolerance ahead of our clock.
    replayWindowMs: (resolved.maxTokenAgeSeconds + 2 * resolved.clockToleranceSeconds) * 1000,
  });
}
