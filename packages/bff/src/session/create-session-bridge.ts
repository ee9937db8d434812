import { BffError } from '../errors.js';
import type { SessionBridge } from '../tokens/session-bridge.js';
import type { OAuthToken } from '../tokens/token.js';
import { type RequestSessions, withOverrides } from './request-session.js';
import type { SessionRecords } from './session-record.js';

/** Compare-and-set retries before giving up on a session that changes under every write. */
export const MAX_WRITE_ATTEMPTS = 5;

/**
 * The token manager's way into a request's session. A refreshed token is written by compare-and-set
 * against the record as stored now; a session that ended (or a provider disconnected) while the refresh
 * was in flight is not written back, and the new token is handed to `orphanedToken` to be revoked.
 */
export function createSessionBridge(
  records: SessionRecords,
  requests: RequestSessions,
  orphanedToken: (provider: string, token: OAuthToken) => Promise<void>,
): SessionBridge {
  const bridge: SessionBridge = {
    async load(ctx) {
      const state = requests.find(ctx);
      if (state === undefined) return undefined;
      return withOverrides((await requests.load(state, ctx)).snapshot?.record, state.overrides);
    },
    id(ctx) {
      const loaded = requests.find(ctx)?.loaded;
      return loaded?.snapshot === undefined ? undefined : loaded.id;
    },
    async reload(ctx) {
      const id = bridge.id(ctx);
      if (id === undefined) return undefined;
      const fresh = await records.read(id);
      // The session ended (logout) or moved to a new id (a login) while this request waited for the lock.
      if (fresh === undefined) throw new BffError('login_required', 'The session has ended; log in again.');
      return fresh.record;
    },
    async saveToken(ctx, provider, token) {
      bridge.useToken(ctx, provider, token);
      const id = bridge.id(ctx);
      if (id === undefined) return;
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const fresh = await records.read(id);
        const connection = fresh?.record.connections[provider];
        if (fresh === undefined || connection === undefined) {
          // Logged out or disconnected while the refresh was in flight: the new grant must not outlive it.
          await orphanedToken(provider, token);
          throw new BffError('login_required', 'The session has ended; log in again.');
        }
        const record = { ...fresh.record, connections: { ...fresh.record.connections, [provider]: { ...connection, token } } };
        if (await records.update(id, fresh, record)) return;
      }
      throw new BffError('internal_error', 'The session changed under every attempt to save a token.');
    },
    useToken(ctx, provider, token) {
      const state = requests.find(ctx);
      if (state === undefined) return;
      state.overrides ??= new Map();
      state.overrides.set(provider, token);
    },
  };
  return bridge;
}
