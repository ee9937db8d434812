import type { UserAccount, UserDirectory } from './accounts/user-directory.js';
import type { ClientRegistry } from './clients/client-registry.js';
import type { KeyValueStore } from './storage/key-value-store.js';

/** Something observable happened; tests count these, apps may log them (never with secrets). */
export type ProviderEvent =
  | { type: 'token_request'; grantType: string; clientId: string | null }
  | { type: 'token_issued'; grantType: string; clientId: string; sub: string | null }
  | { type: 'token_revoked'; clientId: string; reason: 'revocation' | 'code_replay' | 'refresh_reuse' }
  | { type: 'oauth1_request'; endpoint: 'initiate' | 'token' | 'resource'; clientId: string | null }
  | { type: 'oauth1_token_issued'; kind: 'temporary' | 'token'; clientId: string }
  /** A logout token was POSTed to the client (Back-Channel Logout 1.0); `status` is `null` without an answer. */
  | { type: 'backchannel_logout'; clientId: string; delivered: boolean; status: number | null };

/** What the OAuth 2 and OAuth 1 halves of the provider share, built once by `createProvider`. */
export interface ProviderContext {
  /** The issuer URL, without a trailing slash; endpoints are under it. */
  issuer: string;
  storage: KeyValueStore;
  users: UserDirectory;
  clients: ClientRegistry;
  /** Milliseconds since the epoch. */
  now(): number;
  emit(event: ProviderEvent): void;
  /** True when any username logs in (demo mode); the login page says so. */
  anyUser: boolean;
}

/** Set on `ctx.state.latchkey` by `requireOAuth2()` and `requireOAuth1()` for protected resources. */
export interface ResourceAuth {
  protocol: 'oauth2' | 'oauth1';
  clientId: string;
  /** `null` for a client acting for itself (client_credentials). */
  user: UserAccount | null;
  /** Granted scopes (OAuth 1 grants carry none: empty). */
  scopes: string[];
}

export interface ProviderState {
  latchkey?: ResourceAuth;
}
