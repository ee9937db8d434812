import { ConfigurationError } from '@latchkey/common';
import { checkExtraSignatureMethods, type ExtraSignatureMethods } from '@latchkey/oauth1';
import { BffError } from '../errors.js';
import type { ClientConfig } from '../config/client-config.js';
import type { FetchToken, UpdateToken } from '../tokens/token-hooks.js';
import { resolveClientConfig } from '../config/resolve-config.js';
import type { ResolvedClientConfig, ResolvedOAuth1Config, ResolvedOAuth2Config } from '../config/resolved-config.js';
import type { RemoteClient } from '../api/remote-client.js';
import { createRemoteClient } from '../client/remote-client.js';
import { createUpstreamPools, type UpstreamPoolOptions, type UpstreamPools } from '../client/upstream.js';
import { silentLogger, type BffLogger } from '../logger.js';
import { createOAuth1Protocol, type OAuth1Protocol } from '../oauth1/oauth1-protocol.js';
import { createOAuth2Protocol, type OAuth2Protocol } from '../oauth2/oauth2-protocol.js';
import { createDPoPKeys } from '../dpop/dpop-key.js';
import { createMemoryStore } from '../stores/memory-store.js';
import { createInProcessLock, type RefreshLock } from '../stores/refresh-lock.js';
import type { TransactionCache } from '../stores/session-store.js';
import { createTokenManager, type TokenManager, type TokenManagerOptions } from '../tokens/token-manager.js';

export interface OAuthRegistryOptions {
  /** Loads tokens for calls made outside a BFF session. Default none. */
  fetchToken?: FetchToken;
  /** Told about every refreshed token, once per refresh. Default none. */
  updateToken?: UpdateToken;
  /** Keeps login transactions (state, PKCE verifier, OAuth 1 temporary credentials). Default in memory. */
  cache?: TransactionCache;
  /** Serializes refreshes of one token. Default in-process (use a shared lock with several instances). */
  refreshLock?: RefreshLock;
  /** Where keys not given to `register` are read from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Refresh tokens this many seconds before they expire. Default 60. */
  refreshSkewSeconds?: number;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Allows `http:` provider URLs for every provider (loopback tests only). Default false. */
  dangerouslyAllowInsecureHttp?: boolean;
  /** Connection pooling towards provider APIs. Default 64 connections per origin, 30 s keep-alive. */
  upstream?: UpstreamPoolOptions;
  /** Structured logger. Default silent. */
  logger?: BffLogger;
  /** OAuth 1 signature methods beside the built-in ones, by name, for `clientKwargs.signatureMethod`. Default none. */
  extraSignatureMethods?: ExtraSignatureMethods;
}

interface RuntimeParts {
  tokens: TokenManager;
  client: RemoteClient;
}

/** An OAuth 2 / OIDC provider's parts. */
export interface OAuth2RegisteredProvider extends RuntimeParts {
  protocol: 'oauth2';
  config: ResolvedOAuth2Config;
  oauth2: OAuth2Protocol;
  oauth1?: undefined;
}

/** An OAuth 1.0a provider's parts. */
export interface OAuth1RegisteredProvider extends RuntimeParts {
  protocol: 'oauth1';
  config: ResolvedOAuth1Config;
  oauth1: OAuth1Protocol;
  oauth2?: undefined;
}

/** Everything the BFF routes need about one provider, by protocol. */
export type RegisteredProvider = OAuth2RegisteredProvider | OAuth1RegisteredProvider;

/**
 * The provider registry, as Authlib's `OAuth()`: `register(name, config)` checks the configuration
 * at once (reading unset keys from `{NAME}_{KEY}`), `client(name)` builds the client on first use.
 * Nothing here starts a timer or a request.
 */
export class OAuthRegistry {
  readonly #options: Readonly<OAuthRegistryOptions>;
  readonly #configs = new Map<string, ResolvedClientConfig>();
  readonly #runtimes = new Map<string, RegisteredProvider>();
  readonly #pools: UpstreamPools;
  readonly #lock: RefreshLock;
  readonly #now: () => number;
  readonly #skewSeconds: number;
  /** Login transaction cache shared by every provider. */
  readonly cache: TransactionCache;
  readonly logger: BffLogger;

  constructor(options: OAuthRegistryOptions = {}) {
    const skew = options.refreshSkewSeconds ?? 60;
    if (!Number.isFinite(skew) || skew < 0) {
      throw new ConfigurationError('refreshSkewSeconds', 'refreshSkewSeconds must be a non-negative number.');
    }
    checkExtraSignatureMethods(options.extraSignatureMethods);
    this.#options = Object.freeze({ ...options });
    this.#skewSeconds = skew;
    this.#pools = createUpstreamPools(options.upstream);
    this.#lock = options.refreshLock ?? createInProcessLock();
    this.#now = options.now ?? Date.now;
    this.cache = options.cache ?? createMemoryStore();
    this.logger = options.logger ?? silentLogger;
  }

  /** Registers a provider; throws `ConfigurationError` naming a missing key and its environment variable. */
  register(name: string, config: ClientConfig = {}): void {
    if (this.#configs.has(name)) {
      throw new ConfigurationError('name', `A provider named "${name}" is already registered.`);
    }
    const resolved = resolveClientConfig(name, config, {
      ...(this.#options.env === undefined ? {} : { env: this.#options.env }),
      dangerouslyAllowInsecureHttp: this.#options.dangerouslyAllowInsecureHttp === true,
      ...(this.#options.extraSignatureMethods === undefined ? {} : { extraSignatureMethods: this.#options.extraSignatureMethods }),
    });
    this.#configs.set(name, resolved);
  }

  /** Registered provider names, in registration order. */
  names(): string[] {
    return [...this.#configs.keys()];
  }

  has(name: string): boolean {
    return this.#configs.has(name);
  }

  /** The API client of a registered provider. */
  client(name: string): RemoteClient {
    return this.runtime(name).client;
  }

  /** The protocol objects of a provider, built on first use. Throws `unknown_provider`. */
  runtime(name: string): RegisteredProvider {
    const existing = this.#runtimes.get(name);
    if (existing !== undefined) return existing;
    const config = this.#configs.get(name);
    if (config === undefined) throw new BffError('unknown_provider', 'No such provider.');
    const allowInsecureHttp = config.clientKwargs.dangerouslyAllowInsecureHttp || this.#options.dangerouslyAllowInsecureHttp === true;
    const runtime =
      config.protocol === 'oauth2' ? this.#oauth2Runtime(config, allowInsecureHttp) : this.#oauth1Runtime(config, allowInsecureHttp);
    this.#runtimes.set(name, runtime);
    return runtime;
  }

  #oauth2Runtime(config: ResolvedOAuth2Config, allowInsecureHttp: boolean): OAuth2RegisteredProvider {
    // The token endpoint and the API client sign with the same imported keys.
    const dpopKeys = createDPoPKeys();
    const oauth2 = createOAuth2Protocol(config, { now: this.#now, allowInsecureHttp, dpopKeys });
    const tokens = this.#tokenManager(config, (token) => oauth2.refresh(token), config.updateToken);
    const client = createRemoteClient({ provider: { protocol: 'oauth2', config }, tokens, pools: this.#pools, dpopKeys, now: this.#now });
    return Object.freeze({ protocol: 'oauth2', config, oauth2, tokens, client });
  }

  #oauth1Runtime(config: ResolvedOAuth1Config, allowInsecureHttp: boolean): OAuth1RegisteredProvider {
    const oauth1 = createOAuth1Protocol(config, { allowInsecureHttp });
    // OAuth 1 token credentials do not expire (RFC 5849 section 2.3): nothing refreshes them.
    const tokens = this.#tokenManager(config, undefined, undefined);
    const client = createRemoteClient({
      provider: { protocol: 'oauth1', config, oauth1 },
      tokens,
      pools: this.#pools,
      dpopKeys: createDPoPKeys(),
      now: this.#now,
    });
    return Object.freeze({ protocol: 'oauth1', config, oauth1, tokens, client });
  }

  #tokenManager(config: ResolvedClientConfig, refresh: TokenManagerOptions['refresh'], updateToken: UpdateToken | undefined): TokenManager {
    return createTokenManager({
      provider: config.name,
      refresh,
      fetchToken: config.fetchToken ?? this.#options.fetchToken,
      updateToken: updateToken ?? this.#options.updateToken,
      lock: this.#lock,
      logger: this.logger,
      now: this.#now,
      skewSeconds: this.#skewSeconds,
    });
  }

  /** The lock refreshes run under; logout and disconnect take it so they see a refresh in flight. */
  get refreshLock(): RefreshLock {
    return this.#lock;
  }

  /** Milliseconds since the epoch, by the registry's clock. */
  now(): number {
    return this.#now();
  }

  /** Closes the pooled connections to provider APIs. */
  async close(): Promise<void> {
    await this.#pools.close();
  }
}
