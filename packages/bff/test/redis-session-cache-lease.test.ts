import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFreshnessLease, type FreshnessLease } from '../src/stores/redis-session-cache-lease.js';

const MAX_LAG_MS = 200;
/** Longer than every step of the tests that keep the lease, which do not read again. */
const IDLE_AFTER_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A call the test answers itself, in the order it chooses. */
class Calls {
  readonly waiting: Array<{ answer(): void; fail(): void }> = [];
  call = (): Promise<unknown> =>
    new Promise((resolve, reject) => {
      this.waiting.push({ answer: () => resolve(undefined), fail: () => reject(new Error('no answer')) });
    });
  answerAll(): void {
    for (const call of this.waiting.splice(0)) call.answer();
  }
}

/** A lease whose PINGs and announcements the test answers, in use from the start (on tracking that is on, unless told). */
function leaseWithCalls({ trackingOn = true, idleAfterMs = IDLE_AFTER_MS } = {}): {
  lease: FreshnessLease;
  pings: Calls;
  announcements: Calls;
  epoch: { value: number };
} {
  const pings = new Calls();
  const announcements = new Calls();
  const epoch = { value: 0 };
  const lease = createFreshnessLease({
    maxLagMs: MAX_LAG_MS,
    ping: pings.call,
    announce: announcements.call,
    trackingOn: () => trackingOn,
    epoch: () => epoch.value,
    idleAfterMs,
  });
  lease.use();
  leases.push(lease);
  return { lease, pings, announcements, epoch };
}

/** Every lease a test made: closed after it, so no heartbeat outlives its test. */
const leases: FreshnessLease[] = [];
afterEach(() => {
  for (const lease of leases.splice(0)) lease.close();
});

/** Acknowledges the first announcement and answers PINGs until the lease holds. */
async function holdLease({ lease, pings, announcements }: ReturnType<typeof leaseWithCalls>): Promise<void> {
  await beats();
  announcements.answerAll();
  await beats();
  await answerPings(pings);
  expect(lease.current()).toBe(true);
}

/** Lets the heartbeat run (every fifth of the lag bound) and the answers given be processed. */
const beats = () => sleep(MAX_LAG_MS / 2);

/** Answers the PING out (one at a time), waits for the heartbeat to send the next, and answers that one at once. */
async function answerPings(pings: Calls): Promise<void> {
  pings.answerAll();
  await vi.waitFor(() => expect(pings.waiting.length).toBeGreaterThan(0), { timeout: 2_000, interval: 2 });
  pings.answerAll();
  await sleep(0);
}

describe('the local cache lease (when a cached value may be served without a fence)', () => {
  it('holds only once the announcement is acknowledged and a PING sent after it is answered', async () => {
    const { lease, pings, announcements } = leaseWithCalls();
    await beats();
    // A PING answered before the announcement stood proves nothing about writes that did not wait.
    pings.answerAll();
    await beats();
    expect(lease.current()).toBe(false);
    announcements.answerAll();
    await beats();
    expect(lease.current()).toBe(false);
    // The PING out was sent before the announcement was acknowledged: its answer does not count.
    pings.answerAll();
    await sleep(0);
    expect(lease.current()).toBe(false);
    await answerPings(pings);
    expect(lease.current()).toBe(true);
  });

  it('runs out when no PING has been answered for the lag bound', async () => {
    const made = leaseWithCalls();
    const { lease, pings } = made;
    await holdLease(made);
    // Redis stops answering: the PING out stays out, and no newer one is sent.
    await beats();
    await sleep(MAX_LAG_MS + 5);
    expect(lease.current()).toBe(false);
    await answerPings(pings);
    expect(lease.current()).toBe(true);
  });

  it('ends with a flush or a dropped connection, and an answer sent before does not bring it back', async () => {
    const made = leaseWithCalls();
    const { lease, pings, announcements, epoch } = made;
    await holdLease(made);
    // A PING and an announcement go out, then the connection drops before they are answered.
    await beats();
    epoch.value += 1;
    lease.end();
    pings.answerAll();
    announcements.answerAll();
    await sleep(0);
    expect(lease.current()).toBe(false);
    // A new announcement, acknowledged, then a PING sent after it: the lease holds again.
    await sleep(MAX_LAG_MS);
    announcements.answerAll();
    await beats();
    expect(lease.current()).toBe(false);
    await answerPings(pings);
    expect(lease.current()).toBe(true);
  });

  it('pauses the heartbeat and the announcements when no read used it, and starts them again with the next', async () => {
    const made = leaseWithCalls({ idleAfterMs: MAX_LAG_MS * 2 });
    const { lease, pings } = made;
    await holdLease(made);
    // Idle: whatever is out is answered, and nothing more is sent.
    await sleep(MAX_LAG_MS * 2);
    pings.answerAll();
    await sleep(MAX_LAG_MS * 2);
    expect(pings.waiting).toHaveLength(0);
    expect(lease.current()).toBe(false);
    lease.use();
    await beats();
    expect(pings.waiting).toHaveLength(1);
    await answerPings(pings);
    expect(lease.current()).toBe(true);
  });

  it('sends no PING while tracking is off, and holds nothing', async () => {
    const { lease, pings, announcements } = leaseWithCalls({ trackingOn: false });
    await sleep(MAX_LAG_MS * 2);
    expect(pings.waiting).toHaveLength(0);
    expect(announcements.waiting).toHaveLength(0);
    expect(lease.current()).toBe(false);
  });
});
