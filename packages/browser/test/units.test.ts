import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@latchkey/browser';

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
