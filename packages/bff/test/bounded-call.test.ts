import { describe, expect, it } from 'vitest';
import { BffError } from '../src/errors.js';
import { boundedCall } from '../src/stores/bounded-call.js';

describe('boundedCall', () => {
  it('answers store_unavailable for a call that never answers (the deadline is armed for a pending call)', async () => {
    const never = new Promise<string>(() => {});
    await expect(boundedCall(() => never, 20)).rejects.toMatchObject({ code: 'store_unavailable' });
  });

  it('answers store_unavailable for a call that answers after a few turns and then too late', async () => {
    const late = async () => {
      await Promise.resolve();
      await Promise.resolve();
      return new Promise<string>((resolve) => setTimeout(() => resolve('late'), 200));
    };
    await expect(boundedCall(late, 20)).rejects.toMatchObject({ code: 'store_unavailable' });
  });

  it('passes an answer given at once, and one given later within the deadline', async () => {
    await expect(boundedCall(async () => 'now', 1_000)).resolves.toBe('now');
    await expect(boundedCall(() => new Promise<string>((resolve) => setTimeout(() => resolve('soon'), 5)), 1_000)).resolves.toBe('soon');
  });

  it('turns a thrown or rejected failure into store_unavailable with its cause, and keeps one already typed', async () => {
    const cause = new Error('connection refused');
    await expect(boundedCall(() => Promise.reject(cause), 1_000)).rejects.toMatchObject({ code: 'store_unavailable', cause });
    const thrown = boundedCall(() => {
      throw cause;
    }, 1_000);
    await expect(thrown).rejects.toMatchObject({ code: 'store_unavailable', cause });
    const typed = new BffError('store_unavailable', 'The session store did not answer in time.');
    await expect(boundedCall(() => Promise.reject(typed), 1_000)).rejects.toBe(typed);
  });
});
