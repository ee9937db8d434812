import { describe, expect, it } from 'vitest';
import { createMemoryKeyValueStore } from './memory-store.js';
import { StorageFullError } from './storage-full-error.js';

describe('createMemoryKeyValueStore', () => {
  it('expires values by the injected clock', async () => {
    let now = 1_000_000;
    const store = createMemoryKeyValueStore({ now: () => now });
    await store.set('code:a', { sub: 'alice' }, 60);
    expect(await store.get('code:a')).toEqual({ sub: 'alice' });
    now += 60_000;
    expect(await store.get('code:a')).toBeUndefined();
  });

  it('hands a single-use value to exactly one taker', async () => {
    const store = createMemoryKeyValueStore();
    await store.set('code:b', 'x');
    const results = await Promise.all([store.take('code:b'), store.take('code:b')]);
    expect(results.filter((r) => r === 'x')).toHaveLength(1);
  });

  it('add() refuses a live key and accepts an expired one', async () => {
    let now = 0;
    const store = createMemoryKeyValueStore({ now: () => now });
    expect(await store.add('nonce:n', 1, 10)).toBe(true);
    expect(await store.add('nonce:n', 1, 10)).toBe(false);
    now = 10_000;
    expect(await store.add('nonce:n', 1, 10)).toBe(true);
  });

  it('copies values so callers cannot mutate stored state', async () => {
    const store = createMemoryKeyValueStore();
    const value = { scopes: ['openid'] };
    await store.set('k', value);
    value.scopes.push('admin');
    const read = await store.get<{ scopes: string[] }>('k');
    read?.scopes.push('other');
    expect(await store.get('k')).toEqual({ scopes: ['openid'] });
  });

  it('evicts the oldest pending records past maxPendingEntries, and only pending ones', async () => {
    const store = createMemoryKeyValueStore({ maxEntries: 2, maxPendingEntries: 2 });
    await store.set('oauth2:refresh:r', 'grant');
    await store.set('oauth2:authz-tx:a', 1, 600);
    await store.set('oauth1:temporary:b', 2, 600);
    await store.set('oauth2:authz-tx:c', 3, 600);
    expect(await store.get('oauth2:authz-tx:a')).toBeUndefined();
    expect(await store.get('oauth1:temporary:b')).toBe(2);
    expect(await store.get('oauth2:authz-tx:c')).toBe(3);
    expect(await store.get('oauth2:refresh:r')).toBe('grant');
  });

  it('refuses a new durable record at maxEntries instead of dropping a live one (storage_full)', async () => {
    const now = 0;
    const store = createMemoryKeyValueStore({ now: () => now, maxEntries: 2 });
    await store.set('oauth1:token:t', 'credential');
    await store.set('oauth2:access:a', 'token', 60);
    const refused = await store.set('oauth2:access:b', 'token', 60).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(StorageFullError);
    expect(refused).toMatchObject({ code: 'storage_full', recordClass: 'durable', status: 503 });
    expect(await store.add('oauth2:refresh-seen:s', 'grant', 60).catch((error: unknown) => error)).toMatchObject({ code: 'storage_full' });
    // Replacing a key takes no new place, and deleting one frees it.
    await store.set('oauth2:access:a', 'rotated', 60);
    expect(await store.get('oauth2:access:a')).toBe('rotated');
    expect(await store.get('oauth1:token:t')).toBe('credential');
    expect(await store.delete('oauth2:access:a')).toBe(true);
    await store.set('oauth2:access:b', 'token', 60);
    expect(await store.get('oauth2:access:b')).toBe('token');
  });

  it('makes room for a durable record by sweeping expired ones, never live ones', async () => {
    let now = 0;
    const store = createMemoryKeyValueStore({ now: () => now, maxEntries: 2 });
    await store.set('oauth2:access:a', 1, 1);
    await store.set('oauth2:access:b', 2, 60);
    now = 1_000;
    await store.set('oauth2:access:c', 3, 60);
    expect(await store.get('oauth2:access:b')).toBe(2);
    expect(await store.get('oauth2:access:c')).toBe(3);
    now = 60_500; // b has expired, c has not
    await store.set('oauth2:access:d', 4, 60);
    expect(await store.get('oauth2:access:d')).toBe(4);
    expect(await store.get('oauth2:access:c')).toBe(3);
  });

  it('keeps nonces apart: a nonce flood is refused, never evicts a durable record, and never forgets a live nonce', async () => {
    const store = createMemoryKeyValueStore({ maxEntries: 1, maxNonceEntries: 2 });
    await store.set('oauth1:token:t', 'credential');
    expect(await store.add('oauth1:nonce:1', 1, 600)).toBe(true);
    expect(await store.add('oauth1:nonce:2', 1, 600)).toBe(true);
    expect(await store.add('oauth1:nonce:3', 1, 600).catch((error: unknown) => error)).toMatchObject({
      code: 'storage_full',
      recordClass: 'nonce',
    });
    expect(await store.add('oauth1:nonce:1', 1, 600)).toBe(false);
    expect(await store.get('oauth1:token:t')).toBe('credential');
  });

  it('refuses bounds that are not positive integers', () => {
    expect(() => createMemoryKeyValueStore({ maxPendingEntries: 0 })).toThrow(
      expect.objectContaining({ code: 'configuration_error', option: 'maxPendingEntries' }),
    );
    expect(() => createMemoryKeyValueStore({ maxEntries: 1.5 })).toThrow(expect.objectContaining({ option: 'maxEntries' }));
  });
});
