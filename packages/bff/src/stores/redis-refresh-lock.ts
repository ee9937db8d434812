import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigurationError } from '@latchkey/common';
import { BffError } from '../errors.js';
import { checkPrefix, openRedisConnection, type RedisConnectionOptions } from './redis-connection.js';
import { createInProcessLock, type RefreshLock } from './refresh-lock.js';

export interface RedisRefreshLockOptions extends RedisConnectionOptions {
  /** Prepended to every lock key. Default `latchkey:bff:lock:`. */
  prefix?: string;
  /** Lifetime of a lock whose holder never releases it (an instance that died mid-refresh). Default 30000. */
  lockTtlMs?: number;
  /** Longest wait for a lock before failing with `upstream_timeout`. Default `lockTtlMs` + 5000. */
  maxWaitMs?: number;
  /** First pause between attempts to take a held lock; doubles up to `maxRetryDelayMs`. Default 10. */
  retryDelayMs?: number;
  /** Longest pause between attempts. Default 250. */
  maxRetryDelayMs?: number;
}

export interface RedisRefreshLock extends RefreshLock {
  /** Ends the connection the lock opened from `url` (a given `client` stays open). */
  close(): Promise<void>;
}

// Deletes the lock only while it still holds our token: after our TTL ran out and another instance
// took the lock, a late release must not free theirs.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigurationError(name, `${name} must be a positive number.`);
  return Math.ceil(value);
}

/**
 * A refresh lock shared by every BFF instance on one Redis: `SET key token NX PX ttl` takes it, a
 * compare-and-delete script releases it, and the TTL frees it if its holder dies. Callers on one
 * instance queue in process first, so each instance has at most one caller polling Redis per key.
 * After taking the lock, the token manager re-reads the session and finds the token another
 * instance refreshed, so a rotated refresh token is used once.
 */
export function createRedisRefreshLock(options: RedisRefreshLockOptions): RedisRefreshLock {
  const prefix = checkPrefix(options.prefix ?? 'latchkey:bff:lock:');
  const lockTtlMs = positive('lockTtlMs', options.lockTtlMs ?? 30_000);
  const maxWaitMs = positive('maxWaitMs', options.maxWaitMs ?? lockTtlMs + 5_000);
  const retryDelayMs = positive('retryDelayMs', options.retryDelayMs ?? 10);
  const maxRetryDelayMs = positive('maxRetryDelayMs', options.maxRetryDelayMs ?? 250);
  if (maxRetryDelayMs < retryDelayMs) {
    throw new ConfigurationError('maxRetryDelayMs', 'maxRetryDelayMs must be at least retryDelayMs.');
  }
  const connection = openRedisConnection(options);
  const redis = connection.client;
  const local = createInProcessLock();

  const acquire = async (key: string, token: string): Promise<void> => {
    const deadline = Date.now() + maxWaitMs;
    let delay = retryDelayMs;
    for (;;) {
      // A slow or absent Redis fails with store_unavailable within commandTimeoutMs.
      const taken = await connection.command(() => redis.set(key, token, 'PX', lockTtlMs, 'NX'));
      if (taken === 'OK') return;
      const left = deadline - Date.now();
      if (left <= 0) throw new BffError('upstream_timeout', 'Another instance is still renewing the session.');
      // Jitter spreads instances that started waiting together.
      await sleep(Math.min(left, delay / 2 + Math.random() * (delay / 2)));
      delay = Math.min(delay * 2, maxRetryDelayMs);
    }
  };

  const release = async (key: string, token: string): Promise<void> => {
    try {
      await connection.command(() => redis.eval(RELEASE, 1, key, token));
    } catch {
      // Redis went away after the task ran: the TTL frees the lock, and the task's result stands.
    }
  };

  return {
    withLock<T>(name: string, task: () => Promise<T>): Promise<T> {
      return local.withLock(name, async () => {
        const key = `${prefix}${name}`;
        const token = randomBytes(18).toString('base64url');
        await acquire(key, token);
        try {
          return await task();
        } finally {
          await release(key, token);
        }
      });
    },
    close: () => connection.close(),
  };
}
