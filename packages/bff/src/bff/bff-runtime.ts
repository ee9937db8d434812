import type { Context } from 'koa';
import type { OnLogin } from './options.js';
import type { OAuthRegistry } from '../registry/registry.js';
import type { SessionLayer } from '../session/session-layer.js';
import type { TransactionStore } from '../session/login-transaction.js';
import type { BffLogger } from '../logger.js';

/** The resolved options and parts every route shares, built once by `createBff`. */
export interface BffRuntime {
  registry: OAuthRegistry;
  basePath: string;
  sessions: SessionLayer;
  transactions: TransactionStore;
  onLogin: OnLogin | undefined;
  allowedOrigins: ReadonlySet<string> | undefined;
  publicOrigin: string | undefined;
  maxBodyBytes: number;
  bodyTimeoutMs: number;
  revokeOnLogout: boolean;
  logger: BffLogger;
  /** `https://bff.example/bff/callback/github`: the redirect URI (OAuth 2) or `oauth_callback` (OAuth 1). */
  callbackUri(ctx: Context, provider: string): string;
  /** `https://bff.example/bff/logged-out/google`: the `post_logout_redirect_uri` (OpenID Connect RP-Initiated Logout). */
  loggedOutUri(ctx: Context, provider: string): string;
}
