import { isLatchkeyError } from '@latchkey/common';
import { errorFields, toBffError } from '../http/respond.js';
import type { BffLogger } from '../logger.js';
import type { LoginIndex } from './login-index.js';
import type { SessionRecords } from './session-record.js';

/**
 * Session records whose every rewrite (a refresh, a renewal, a disconnect) writes the session's index
 * entries again after it. A bounded store pushes out the least recently written entries first: left as
 * they were at login, the index entries of a busy session would go before the session itself, and the
 * provider's logout would then find nothing to end while the session lives on. Written after it, they
 * outlast it. A rewrite also learns when the provider ended the login meanwhile, and ends the session.
 */
export function indexedSessionRecords(records: SessionRecords, index: LoginIndex, logger: BffLogger): SessionRecords {
  return {
    ...records,
    async update(id, snapshot, record) {
      if (!(await records.update(id, snapshot, record))) return false;
      if (record.providerLogins === undefined) return true;
      try {
        await index.link(snapshot.key, record.providerLogins, record.absoluteExpiresAt);
      } catch (error) {
        if (!isLatchkeyError(error, 'login_failed')) {
          logger.warn('logout index not refreshed', errorFields(toBffError(error)));
          return true;
        }
        // Ended by the provider: to the caller, the session is gone, as if a logout had come first.
        await records.destroy(id);
        return false;
      }
      return true;
    },
  };
}
