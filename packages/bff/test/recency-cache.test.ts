import { describe, expect, it } from 'vitest';
import { createRecencyCache } from '../src/stores/recency-cache.js';

const kept = (cache: { get(key: string): unknown }, keys: string[]) => keys.filter((key) => cache.get(key) !== undefined);

describe('createRecencyCache', () => {
  it('keeps at most its bound, the oldest written out first', () => {
    const cache = createRecencyCache<number>(3);
    for (const [index, key] of ['a', 'b', 'c', 'd'].entries()) cache.set(key, index);
    expect(kept(cache, ['a', 'b', 'c', 'd'])).toEqual(['b', 'c', 'd']);
  });

  it('never pushes out an entry found during the last half of the bound of writes', () => {
    const limit = 8;
    const cache = createRecencyCache<number>(limit);
    for (let index = 0; index < limit; index++) cache.set(`old${index}`, index);
    // `old0` is found after every write: however many new entries come, it stays.
    for (let index = 0; index < 5 * limit; index++) {
      expect(cache.get('old0')).toBe(0);
      cache.set(`new${index}`, index);
    }
    expect(cache.get('old0')).toBe(0);
    expect(cache.get('old1')).toBeUndefined();
  });

  it('pushes out an entry not found for a whole bound of writes', () => {
    const cache = createRecencyCache<number>(4);
    cache.set('a', 1);
    expect(cache.get('a')).toBe(1);
    for (let index = 0; index < 4; index++) cache.set(`n${index}`, index);
    expect(cache.get('a')).toBeUndefined();
  });

  it('deletes, and with a bound of 0 keeps nothing', () => {
    const cache = createRecencyCache<number>(2);
    cache.set('a', 1);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    const none = createRecencyCache<number>(0);
    none.set('a', 1);
    expect(none.get('a')).toBeUndefined();
  });
});
