import { describe, expect, it } from 'vitest';
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

/** A lease whose PINGs and announcements the test answers, on tracking that is on. */
function leaseWithCalls(): { lease: FreshnessLease; pings: Calls; announcements: Calls; epoch: { value: number } } {
  const pings = new Calls();
  const announcements = new Calls();
  const epoch = { value: 0 };
  const lease = createFreshnessLease({
    maxLagMs: MAX_LAG_MS,
    ping: pings.call,
    announce: announcements.call,
    trackingOn: () => true,
    epoch: () => epoch.value,
    idleAfterMs: IDLE_AFTER_MS,
  });
  lease.use();
  return { lease, pings, announcements, epoch };
}

/** Lets the heartbeat run (every fifth of the lag bound) and the answers given be processed. */
const beats = () => sleep(MAX_LAG_MS / 2);

/** Answers the PING out (one at a time), lets the heartbeat send the next, and answers that one. */
async function answerPings(pings: Calls): Promise<void> {
  pings.answerAll();
  await beats();
  pings.answerAll();
  await sleep(0);
}

describe('the local cache lease (when a cached value may be served without a fence)', () => {
  it('holds only once the announcement is acknowledged and a PING sent after it is answered', async () => {
    const { lease, pings, announcements } = leaseWithCalls();
    try {
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
      await beats();
      pings.answerAll();
      await sleep(0);
      expect(lease.current()).toBe(true);
    } finally {
      lease.close();
    }
  });

  it('runs out when no PING has been answered for the lag bound', async () => {
    const { lease, pings, announcements } = leaseWithCalls();
    try {
      await beats();
      announcements.answerAll();
      await beats();
      await answerPings(pings);
      expect(lease.current()).toBe(true);
      // Redis stops answering: the PING out stays out, and no newer one is sent.
      await beats();
      await sleep(MAX_LAG_MS + 5);
      expect(lease.current()).toBe(false);
      await answerPings(pings);
      expect(lease.current()).toBe(true);
    } finally {
      lease.close();
    }
  });

  it('ends with a flush or a dropped connection, and an answer sent before does not bring it back', async () => {
    const { lease, pings, announcements, epoch } = leaseWithCalls();
    try {
      await beats();
      announcements.answerAll();
      await beats();
      await answerPings(pings);
      expect(lease.current()).toBe(true);
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
    } finally {
      lease.close();
    }
  });

  it('pauses the heartbeat and the announcements when no read used it, and starts them again with the next', async () => {
    const pings = new Calls();
    const announcements = new Calls();
    const lease = createFreshnessLease({
      maxLagMs: MAX_LAG_MS,
      ping: pings.call,
      announce: announcements.call,
      trackingOn: () => true,
      epoch: () => 0,
      idleAfterMs: MAX_LAG_MS,
    });
    lease.use();
    try {
      await beats();
      announcements.answerAll();
      await answerPings(pings);
      expect(lease.current()).toBe(true);
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
    } finally {
      lease.close();
    }
  });

  it('sends no PING while tracking is off, and holds nothing', async () => {
    const pings = new Calls();
    const announcements = new Calls();
    const lease = createFreshnessLease({
      maxLagMs: MAX_LAG_MS,
      ping: pings.call,
      announce: announcements.call,
      trackingOn: () => false,
      epoch: () => 0,
    });
    lease.use();
    try {
      await sleep(MAX_LAG_MS * 2);
      expect(pings.waiting).toHaveLength(0);
      expect(announcements.waiting).toHaveLength(0);
      expect(lease.current()).toBe(false);
    } finally {
      lease.close();
    }
  });
});
