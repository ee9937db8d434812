import { describe, expect, it } from 'vitest';
import { createMemoryLock, createMemoryStorage } from '@latchkey/browser';

describe('createMemoryLock', () => {
  it('runs tasks of one name one at a time, in order, and survives a failing task', async () => {
    const lock = createMemoryLock();
    const log: string[] = [];
    const task = (id: string, fail = false) => async () => {
      log.push(`start ${id}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`end ${id}`);
      if (fail) throw new Error(id);
      return id;
    };
    const results = await Promise.allSettled([lock.run('a', task('1', true)), lock.run('a', task('2')), lock.run('b', task('3'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('end 1')).toBeLessThan(log.indexOf('start 2'));
    // Another name does not wait.
    expect(log.indexOf('start 3')).toBeLessThan(log.indexOf('end 1'));
  });
});

describe('createMemoryStorage', () => {
  it('stores copies, like IndexedDB', async () => {
    const storage = createMemoryStorage();
    const value = { a: 1 };
    await storage.set('k', value);
    value.a = 2;
    const read = await storage.get<{ a: number }>('k');
    expect(read).toEqual({ a: 1 });
    read!.a = 3;
    expect(await storage.get('k')).toEqual({ a: 1 });
    await storage.del('k');
    expect(await storage.get('k')).toBeUndefined();
  });
});
