import type { Redis } from 'ioredis';
import { openOwnedConnection, type RedisConnectionOptions } from './redis-connection.js';

const CHANNEL = '__redis__:invalidate';

export interface TrackingEvents {
  /** Redis no longer holds these keys' values as read (a write, a delete, an expiry). */
  invalidate(keys: readonly string[]): void;
  /** Every value read so far may be stale: a flush of the database, or a connection that dropped. */
  flushAll(): void;
}

/** Two connections of a cache's own: one that reads with tracking on, one that receives the invalidations. */
export interface Tracking {
  /** The connection whose reads Redis tracks; only values read on it may be cached. */
  readonly reader: Redis;
  /** The connection the invalidations arrive on; a PING on it answers after every invalidation sent before it. */
  readonly invalidations: Redis;
  /** Whether tracking is on now, so a value read now will be invalidated when it changes. */
  isOn(): boolean;
  /** Changes whenever either connection drops: a value read under an older epoch must not be cached. */
  epoch(): number;
  /** Connects (lazily, on the first read) and turns tracking on; again after every reconnect. */
  start(): void;
  close(): Promise<void>;
}

/**
 * Redis client-side caching in its default mode (https://redis.io/docs/latest/develop/reference/client-side-caching/):
 * `CLIENT TRACKING ON REDIRECT <id>` on the reading connection makes Redis remember the keys it read
 * and send `__redis__:invalidate` messages about them to a second connection, subscribed in RESP2
 * (ioredis drops RESP3 push frames). A null message means everything (FLUSHALL, FLUSHDB).
 *
 * Tracking lives and dies with the two connections: when either drops, invalidations may have been
 * lost, so `flushAll` fires and tracking stays off until both are back and it is turned on again.
 */
export function openTracking(options: RedisConnectionOptions, events: TrackingEvents): Tracking {
  const reader = openOwnedConnection(options, { protocol: 2 });
  // Subscribed anew by `enable` after each reconnect, since the CLIENT ID to redirect to changes too.
  const invalidations = openOwnedConnection(options, { protocol: 2, autoResubscribe: false });
  let epoch = 0;
  let on = false;
  let enabling = false;
  let closed = false;
  /** The CLIENT ID of the invalidation connection, once it is subscribed; reset when it drops. */
  let subscribedAs: number | undefined;

  invalidations.on('messageBuffer', (channel: Buffer, message: Buffer[] | null) => {
    if (channel.toString() !== CHANNEL) return;
    if (message === null) events.flushAll();
    else events.invalidate(message.map((key) => key.toString()));
  });
  const dropped = () => {
    epoch += 1;
    on = false;
    events.flushAll();
  };
  reader.on('close', dropped);
  invalidations.on('close', () => {
    subscribedAs = undefined;
    dropped();
  });

  const enable = async (since: number) => {
    if (subscribedAs === undefined) {
      // A SUBSCRIBE resent after a reconnect may have left it subscribed under an id we never learnt.
      if (invalidations.mode === 'subscriber') await invalidations.unsubscribe();
      const id = await invalidations.client('ID');
      await invalidations.subscribe(CHANNEL);
      if (epoch !== since) return;
      subscribedAs = id;
    }
    await reader.client('TRACKING', 'ON', 'REDIRECT', String(subscribedAs));
    if (epoch === since && !closed) on = true;
  };
  const start = () => {
    if (on || enabling || closed) return;
    enabling = true;
    const since = epoch;
    enable(since)
      // A connection that fails here drops, and its `ready` starts this again.
      .catch(() => {})
      .finally(() => {
        enabling = false;
        // A drop while enabling left tracking off; a `ready` that came meanwhile found this busy.
        if (epoch !== since && reader.status === 'ready' && invalidations.status === 'ready') start();
      });
  };
  reader.on('ready', start);
  invalidations.on('ready', start);

  return {
    reader,
    invalidations,
    isOn: () => on,
    epoch: () => epoch,
    start,
    async close() {
      closed = true;
      on = false;
      await Promise.all(
        [reader, invalidations].map((connection) =>
          connection.status === 'ready' ? connection.quit().catch(() => connection.disconnect()) : connection.disconnect(),
        ),
      );
    },
  };
}
