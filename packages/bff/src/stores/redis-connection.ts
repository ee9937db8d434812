import { Redis, type RedisOptions } from 'ioredis';
import { ConfigurationError } from '@latchkey/common';
import { boundedCall } from './bounded-call.js';

/** How a Redis-backed store reaches Redis: a client you own, or a URL it connects to itself. */
export interface RedisConnectionOptions {
  /** An ioredis client to use; you keep ownership (`close()` leaves it open). One of `client` or `url`. */
  client?: Redis;
  /** A Redis URL (`redis://127.0.0.1:6379`, `rediss://...`); the store opens and owns this connection. */
  url?: string;
  /**
   * ioredis options for the connection opened from `url`. Default: ioredis's, except a lazy connect and
   * two retries per command, so a request fails in seconds rather than queueing while Redis is down.
   */
  redisOptions?: Omit<RedisOptions, 'replyMapping'>;
  /**
   * Longest wait for one Redis command before it fails with `store_unavailable` (a stalled or
   * unreachable Redis answers in seconds, not never). Default 2000.
   */
  commandTimeoutMs?: number;
}

/** `commandTimeoutMs` when not given. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

export interface RedisConnection {
  client: Redis;
  /** Runs one command within `commandTimeoutMs`; any failure becomes `store_unavailable`. */
  command<T>(run: () => Promise<T>): Promise<T>;
  /** Ends the connection if the store opened it; a given client is left alone. */
  close(): Promise<void>;
}

/**
 * Resolves `client | url` once. A URL connection is lazy, so building a store opens no socket: the
 * first command connects.
 */
export function openRedisConnection(options: RedisConnectionOptions): RedisConnection {
  if ((options.client === undefined) === (options.url === undefined)) {
    throw new ConfigurationError('client', 'Give exactly one of client (an ioredis client) or url.');
  }
  const timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new ConfigurationError('commandTimeoutMs', 'commandTimeoutMs must be a positive whole number of milliseconds.');
  }
  const command = <T>(run: () => Promise<T>) => boundedCall(run, timeoutMs);
  if (options.client !== undefined) {
    return { client: options.client, command, close: async () => {} };
  }
  let client: Redis;
  try {
    client = new Redis(options.url as string, { lazyConnect: true, maxRetriesPerRequest: 2, ...options.redisOptions });
  } catch (cause) {
    throw new ConfigurationError('url', 'url is not a Redis URL.', { cause });
  }
  // Connection failures reach callers as rejected commands; without a listener ioredis would also
  // print each reconnect failure to stderr.
  client.on('error', () => {});
  return {
    client,
    command,
    async close() {
      if (client.status === 'end') return;
      // QUIT would wait in the offline queue for a Redis that is not there.
      if (client.status !== 'ready') return client.disconnect();
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/**
 * A further connection to the store's Redis that the caller owns and ends itself: a copy of a given
 * client (same server, credentials and database), or a lazy one from `url`, with `overrides` on top.
 */
export function openOwnedConnection(options: RedisConnectionOptions, overrides: Omit<RedisOptions, 'replyMapping'>): Redis {
  const client =
    options.client !== undefined
      ? options.client.duplicate({ lazyConnect: true, ...overrides })
      : new Redis(options.url as string, { lazyConnect: true, maxRetriesPerRequest: 2, ...options.redisOptions, ...overrides });
  client.on('error', () => {});
  return client;
}

/** Checks a key prefix: printable, no whitespace, so keys stay readable in `redis-cli`. */
export function checkPrefix(prefix: string): string {
  if (!/^[\x21-\x7e]{1,128}$/.test(prefix)) {
    throw new ConfigurationError('prefix', 'prefix must be 1 to 128 printable characters without spaces.');
  }
  return prefix;
}
