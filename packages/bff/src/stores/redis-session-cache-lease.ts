import { performance } from 'node:perf_hooks';
import { ANNOUNCE_EVERY_MS, ANNOUNCEMENT_TTL_MS } from './redis-lag-bound.js';

export interface FreshnessLeaseParts {
  /** The lag bound this instance announces and keeps to. */
  maxLagMs: number;
  /** A PING on the invalidation connection: its answer comes after every invalidation Redis sent before it. */
  ping(): Promise<unknown>;
  /** Announces `maxLagMs` in Redis for `ttlMs`, so every write waits it out (`redis-lag-bound.ts`). */
  announce(maxLagMs: number, ttlMs: number): Promise<unknown>;
  /** Whether tracking is on now (pings on a connection without it prove nothing). */
  trackingOn(): boolean;
  /** Changes whenever a connection drops. */
  epoch(): number;
  /** With no read for this long, the heartbeat and the announcements pause. Default 5000. */
  idleAfterMs?: number;
}

/**
 * When this instance may answer a read from memory without a fence of its own.
 *
 * Two facts make it so. This instance's bound is announced in Redis (renewed every second for ten), so
 * every write that changes or removes a value waits `maxLagMs` after Redis applied it before anyone
 * learns it is done. And a PING sent on the invalidation connection, by a heartbeat every fifth of
 * `maxLagMs`, has been answered less than `maxLagMs` ago: every invalidation Redis sent before that PING
 * was processed here first. A request that began after a write was answered began more than `maxLagMs`
 * after Redis applied it, so that PING went out after the write, and its invalidation is already here.
 *
 * A PING counts only if it was sent after the current announcement was acknowledged: a write made
 * while no announcement stood did not wait, and only such a PING proves its invalidation arrived. A
 * flush of the database (which removes the announcement) or a dropped connection ends the lease; the
 * next acknowledged announcement starts a new one. Outside the lease, reads take the shared fence.
 * An instance that reads nothing for `idleAfterMs` stops its heartbeat and announcements, so an idle
 * one costs Redis nothing and, ten seconds on, writers wait for it no more.
 */
export interface FreshnessLease {
  /** True while every invalidation Redis sent more than `maxLagMs` ago is known to have arrived. */
  current(): boolean;
  /** A read is being made: keeps (or starts) the heartbeat and the announcements. */
  use(): void;
  /** Forgets the lease: announcements or invalidations may have been lost. */
  end(): void;
  close(): void;
}

export function createFreshnessLease(parts: FreshnessLeaseParts): FreshnessLease {
  const { maxLagMs, idleAfterMs = 5_000 } = parts;
  const now = () => performance.now();
  let lastUsed = Number.NEGATIVE_INFINITY;
  /** Bumped by `end()`: an answer to an announcement sent before it proves nothing. */
  let generation = 0;
  /** When the current announcement was first acknowledged; only PINGs sent after count. */
  let leaseStart = Number.POSITIVE_INFINITY;
  /** Until when the announcement surely stands in Redis: half its TTL after it was sent. */
  let announcedUntil = Number.NEGATIVE_INFINITY;
  let lastAnnounced = Number.NEGATIVE_INFINITY;
  /** When the latest answered PING of this lease was sent. */
  let provenAt = Number.NEGATIVE_INFINITY;
  let pinging = false;
  let announcing = false;
  let heartbeat: NodeJS.Timeout | undefined;

  const announce = () => {
    announcing = true;
    const sentAt = now();
    lastAnnounced = sentAt;
    const since = generation;
    parts
      .announce(maxLagMs, ANNOUNCEMENT_TTL_MS)
      .then(
        () => {
          if (generation !== since) return;
          const answeredAt = now();
          // Renewed while the last one still stood: the announcement never lapsed, the lease goes on.
          if (answeredAt > announcedUntil) {
            leaseStart = answeredAt;
            provenAt = Number.NEGATIVE_INFINITY;
          }
          announcedUntil = sentAt + ANNOUNCEMENT_TTL_MS / 2;
        },
        // Unanswered: the lease runs out at `announcedUntil`, and the next beat tries again.
        () => {},
      )
      .finally(() => {
        announcing = false;
      });
  };

  const ping = () => {
    pinging = true;
    const sentAt = now();
    const since = parts.epoch();
    parts
      .ping()
      .then(
        () => {
          if (parts.epoch() === since && sentAt >= leaseStart && sentAt > provenAt) provenAt = sentAt;
        },
        () => {},
      )
      .finally(() => {
        pinging = false;
      });
  };

  const beat = () => {
    if (now() - lastUsed > idleAfterMs) {
      clearInterval(heartbeat);
      heartbeat = undefined;
      return;
    }
    if (!parts.trackingOn()) return;
    if (!announcing && now() - lastAnnounced >= ANNOUNCE_EVERY_MS) announce();
    if (!pinging) ping();
  };

  return {
    current() {
      const at = now();
      return at < announcedUntil && provenAt >= leaseStart && at - provenAt <= maxLagMs;
    },
    use() {
      lastUsed = now();
      if (heartbeat !== undefined) return;
      heartbeat = setInterval(beat, Math.max(1, Math.floor(maxLagMs / 5)));
      heartbeat.unref();
    },
    end() {
      generation += 1;
      leaseStart = Number.POSITIVE_INFINITY;
      announcedUntil = Number.NEGATIVE_INFINITY;
      lastAnnounced = Number.NEGATIVE_INFINITY;
      provenAt = Number.NEGATIVE_INFINITY;
    },
    close() {
      clearInterval(heartbeat);
      heartbeat = undefined;
      generation += 1;
      announcedUntil = Number.NEGATIVE_INFINITY;
    },
  };
}
