import { ConfigurationError } from '@latchkey/common';
import { BffError } from '../errors.js';
import type { ClientConfig } from '../config/client-config.js';
import type { FetchToken, UpdateToken } from '../tokens/token-hooks.js';
import { resolveClientConfig, type ResolvedClientConfig } from '../config/resolve-config.js';
import type { RemoteClient } from '../api/remote-client.js';
import { createRemoteClient } from '../client/remote-client.js';
import { createUpstreamPools, type UpstreamPoolOptions, type UpstreamPools } from '../client/upstream.js';
import { silentLogger, type BffLogger } from '../logger.js';
import { createOAuth1Protocol, type OAuth1Protocol } from '../oauth1/oauth1-protocol.js';
import { createOAuth2Protocol, type OAuth2Protocol } from '../oauth2/oauth2-protocol.js';
import { createMemoryStore } from '../stores/memory-store.js';
import { createInProcessLock, type RefreshLock } from '../stores/refresh-lock.js';
import type { TransactionCache } from '../stores/session-store.js';
import { createTokenManager, type TokenManager } from '../tokens/token-manager.js';

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
}

/** Everything the BFF routes need about one provider. */
export interface ProviderRuntime {
  config: ResolvedClientConfig;
  oauth2: OAuth2Protocol | undefined;
  oauth1: OAuth1Protocol | undefined;
  tokens: TokenManager;
  client: RemoteClient;
}

/**
 * The provider registry, as Authlib's `OAuth()`: `register(name, config)` checks the configuration
 * at once (reading unset keys from `{NAME}_{KEY}`), `client(name)` builds the client on first use.
 * Nothing here starts a timer or a request.
 */
export class OAuthRegistry {
  readonly #options: Readonly<OAuthRegistryOptions>;
  readonly #configs = new Map<string, ResolvedClientConfig>();
  readonly #runtimes = new Map<string, ProviderRuntime>();
  readonly #pools: UpstreamPools;
  readonly #lock: RefreshLock;
  readonly #now: () => number;
  /** Login transaction cache shared by every provider. */
  readonly cache: TransactionCache;
  readonly logger: BffLogger;

  constructor(options: OAuthRegistryOptions = {}) {
    const skew = options.refreshSkewSeconds ?? 60;
    if (!Number.isFinite(skew) || skew < 0) {
      throw new ConfigurationError('refreshSkewSeconds', 'refreshSkewSeconds must be a non-negative number.');
    }
    this.#options = Object.freeze({ ...options, refreshSkewSeconds: skew });
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
  runtime(name: string): ProviderRuntime {
    const existing = this.#runtimes.get(name);
    if (existing !== undefined) return existing;
    const config = this.#configs.get(name);
    if (config === undefined) throw new BffError('unknown_provider', 'No such provider.');
    const allowInsecureHttp =
      config.clientKwargs.dangerouslyAllowInsecureHttp || this.#options.dangerouslyAllowInsecureHttp === true;
    const oauth2 = config.protocol === 'oauth2' ? createOAuth2Protocol(config, { now: this.#now, allowInsecureHttp }) : undefined;
    const oauth1 = config.protocol === 'oauth1' ? createOAuth1Protocol(config, { allowInsecureHttp }) : undefined;
    const tokens = createTokenManager({
      provider: name,
      refresh: oauth2 === undefined ? undefined : (token) => oauth2.refresh(token),
      fetchToken: config.fetchToken ?? this.#options.fetchToken,
      updateToken: config.updateToken ?? this.#options.updateToken,
      lock: this.#lock,
      logger: this.logger,
      now: this.#now,
      skewSeconds: this.#options.refreshSkewSeconds as number,
    });
    const client = createRemoteClient({ config, oauth2, oauth1, tokens, pools: this.#pools });
    const runtime: ProviderRuntime = Object.freeze({ config, oauth2, oauth1, tokens, client });
    this.#runtimes.set(name, runtime);
    return runtime;
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
