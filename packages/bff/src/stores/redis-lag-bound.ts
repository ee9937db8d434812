/**
 * The lag bound that instances with a local cache announce in Redis, and that every write waits out.
 *
 * An instance that serves sessions from memory (`localCache`) without asking Redis per read relies on
 * this: once a write that changed or removed a value is acknowledged, its writer waits `maxLagMs`
 * before answering, and a cached instance answers from memory only while it can prove it has received
 * every invalidation Redis sent more than `maxLagMs` ago (`redis-session-cache-lease.ts`). A request that
 * a write's answer leads to (a logout on instance A, then a call to instance B) therefore finds B's
 * memory already told. Writers learn the bound from Redis itself, so a store without the cache (an
 * instance still being upgraded) waits too.
 */

/** The key, under the store's prefix, holding the longest `maxLagMs` announced (session keys all start `latchkey:`). */
export const LAG_BOUND_KEY = 'local-cache:max-lag-ms';

/** The longest lag an instance may announce, so a writer never waits long on a bad value. */
export const MAX_LAG_BOUND_MS = 1_000;

/** How long one announcement lives in Redis; instances renew theirs every `ANNOUNCE_EVERY_MS`. */
export const ANNOUNCEMENT_TTL_MS = 10_000;
export const ANNOUNCE_EVERY_MS = 1_000;

/**
 * Sets the bound, or puts back a longer one already announced, renewed. KEYS: the bound's key; ARGV:
 * bound, TTL. (`SET ... GET` rather than a separate read, so the store's read counts stay its reads.)
 */
export const ANNOUNCE_SCRIPT = `local previous = tonumber(redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'GET') or '0') or 0
if previous > tonumber(ARGV[1]) then
  redis.call('set', KEYS[1], tostring(previous), 'PX', ARGV[2])
end
return 1`;

/**
 * After a write that changed or removed a value, waits the lag bound read in the same script (nothing
 * when no instance announced one). A millisecond more covers timers firing on the loop's cached clock.
 */
export async function waitOutLag(bound: unknown): Promise<void> {
  const ms = typeof bound === 'string' || typeof bound === 'number' ? Number(bound) : 0;
  if (!(ms > 0)) return;
  await new Promise((resolve) => setTimeout(resolve, Math.min(ms, MAX_LAG_BOUND_MS) + 1));
}
