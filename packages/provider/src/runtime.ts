import type { DpopServer } from './dpop/dpop-server.js';
import type { SigningKeys } from './keys/signing-keys.js';
import type { OAuth1ServerOptions } from './oauth1/options.js';
import type { ResolvedFeatures, ResolvedLifetimes } from './options.js';
import type { ProviderContext } from './provider-context.js';
import type { LoginSessions } from './session/login-session.js';
import type { TokenService } from './tokens/token-service.js';

/** Everything the endpoints need, resolved once by `createProvider` and frozen. */
export interface ProviderRuntime {
  readonly context: ProviderContext;
  readonly lifetimes: ResolvedLifetimes;
  readonly features: ResolvedFeatures;
  readonly keys: SigningKeys;
  readonly tokens: TokenService;
  /** The provider's own login session cookie (OpenID Connect Core section 3.1.2.3). */
  readonly loginSessions: LoginSessions;
  readonly oauth1: OAuth1ServerOptions;
  readonly adminToken: string | undefined;
  /** Every client must use pushed authorization requests (RFC 9126 section 5). */
  readonly requirePushedAuthorizationRequests: boolean;
  /** DPoP proofs and nonces (RFC 9449). */
  readonly dpop: DpopServer;
  /** The issuer's path (`''` at the root): every route lives under it. */
  readonly basePath: string;
}

/** An absolute endpoint URL under the issuer. */
export function endpointUrl(runtime: Pick<ProviderRuntime, 'context'>, path: string): string {
  return `${runtime.context.issuer}${path}`;
}
