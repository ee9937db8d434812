import { describe, expect, it } from 'vitest';
import { createMemoryStore } from './memory-store.js';

describe('createMemoryStore', () => {
  it('expires values by the injected clock', async () => {
    let now = 1_000_000;
    const store = createMemoryStore({ now: () => now });
    await store.set('code:a', { sub: 'alice' }, 60);
    expect(await store.get('code:a')).toEqual({ sub: 'alice' });
    now += 60_000;
    expect(await store.get('code:a')).toBeUndefined();
  });

  it('hands a single-use value to exactly one taker', async () => {
    const store = createMemoryStore();
    await store.set('code:b', 'x');
    const results = await Promise.all([store.take('code:b'), store.take('code:b')]);
    expect(results.filter((r) => r === 'x')).toHaveLength(1);
  });

  it('add() refuses a live key and accepts an expired one', async () => {
    let now = 0;
    const store = createMemoryStore({ now: () => now });
    expect(await store.add('nonce:n', 1, 10)).toBe(true);
    expect(await store.add('nonce:n', 1, 10)).toBe(false);
    now = 10_000;
    expect(await store.add('nonce:n', 1, 10)).toBe(true);
  });

  it('copies values so callers cannot mutate stored state', async () => {
    const store = createMemoryStore();
    const value = { scopes: ['openid'] };
    await store.set('k', value);
    value.scopes.push('admin');
    const read = await store.get<{ scopes: string[] }>('k');
    read?.scopes.push('other');
    expect(await store.get('k')).toEqual({ scopes: ['openid'] });
  });

  it('evicts the oldest entries past maxEntries', async () => {
    const store = createMemoryStore({ maxEntries: 2 });
    await store.set('a', 1);
    await store.set('b', 2);
    await store.set('c', 3);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('c')).toBe(3);
    expect(await store.delete('b')).toBe(true);
    expect(await store.delete('b')).toBe(false);
  });
});
