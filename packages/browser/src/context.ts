import type { AuthorizationServer, Client } from 'oauth4webapi';
import type { DPoPBinding } from './dpop/binding.js';
import type { AuthEventMap } from './events/auth-events.js';
import type { Emitter } from './events/emitter.js';
import type { AuthLock } from './lock/lock.js';
import type { OAuthHttp } from './oauth/http.js';
import type { ResolvedOptions } from './options.js';
import type { CachedSession } from './session/cached-session.js';
import type { PendingLoginStore } from './session/pending-logins.js';

/** What the flows of one client share, built once by `createAuthClient`. */
export interface ClientContext {
  readonly options: ResolvedOptions;
  readonly server: () => Promise<AuthorizationServer>;
  readonly client: Client;
  readonly http: OAuthHttp;
  readonly lock: AuthLock;
  readonly session: CachedSession;
  readonly transactions: PendingLoginStore;
  readonly events: Emitter<AuthEventMap>;
  readonly dpop: DPoPBinding | undefined;
}
