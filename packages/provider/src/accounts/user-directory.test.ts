import { describe, expect, it } from 'vitest';
import { createUserDirectory } from './user-directory.js';

const alice = { sub: 'u-1', username: 'alice', password: 'wonderland', name: 'Alice', email: 'alice@example.test' };

describe('createUserDirectory', () => {
  it('checks configured passwords and never returns the password', async () => {
    const users = createUserDirectory({ users: [alice] });
    const account = await users.authenticate('alice', 'wonderland');
    expect(account).toEqual({ sub: 'u-1', username: 'alice', name: 'Alice', email: 'alice@example.test' });
    expect(account).not.toHaveProperty('password');
    expect(await users.authenticate('alice', 'wrong')).toBeNull();
    expect(await users.authenticate('bob', 'x')).toBeNull();
    expect(await users.findBySub('u-1')).toMatchObject({ username: 'alice' });
  });

  it('in any-user mode accepts any plain username but still checks known users', async () => {
    const users = createUserDirectory({ users: [alice], dangerouslyAllowAnyUser: true });
    expect(await users.authenticate('bob', '')).toMatchObject({ sub: 'user:bob', username: 'bob' });
    expect(await users.findBySub('user:bob')).toMatchObject({ username: 'bob' });
    expect(await users.authenticate('alice', 'wrong')).toBeNull();
    expect(await users.authenticate('<script>', 'x')).toBeNull();
    expect(await users.authenticate('', 'x')).toBeNull();
  });
});
