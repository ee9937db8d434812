import { describe, expect, it } from 'vitest';
import { createKeyedLock } from './keyed-lock.js';

describe('createKeyedLock', () => {
  it('runs tasks of one key one at a time, in order, and survives a failing task', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const task =
      (id: string, fail = false) =>
      async () => {
        log.push(`start ${id}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`end ${id}`);
        if (fail) throw new Error(id);
        return id;
      };
    const results = await Promise.allSettled([lock.run('a', task('1', true)), lock.run('a', task('2')), lock.run('b', task('3'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('end 1')).toBeLessThan(log.indexOf('start 2'));
    // Another key does not wait.
    expect(log.indexOf('start 3')).toBeLessThan(log.indexOf('end 1'));
  });
});
