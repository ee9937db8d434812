import { constantTimeEqual } from '../constant-time.js';

/** A user as the provider knows them; the fields map onto OpenID Connect standard claims. */
export interface UserAccount {
  /** Stable subject identifier (`sub`). */
  sub: string;
  /** What the user types on the login page. */
  username: string;
  name?: string;
  email?: string;
  email_verified?: boolean;
  picture?: string;
}

/** A configured user with the password the login page checks. */
export interface UserWithPassword extends UserAccount {
  password: string;
}

/** How the provider finds users and checks passwords; bring your own to use a real user database. */
export interface UserDirectory {
  /** The user for this username and password, or `null`; never throws for a wrong password. */
  authenticate(username: string, password: string): Promise<UserAccount | null>;
  /** The user with this subject, or `null` (a deleted user's tokens stop working). */
  findBySub(sub: string): Promise<UserAccount | null>;
}

export interface UserDirectoryOptions {
  /** Known users with passwords. Default: none. */
  users?: UserWithPassword[];
  /**
   * Demo mode: any non-empty username logs in with any password and becomes a user with
   * `sub` = `user:<username>`. Default false; never turn it on outside demos and tests.
   */
  dangerouslyAllowAnyUser?: boolean;
}

const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;

function withoutPassword({ password: _password, ...account }: UserWithPassword): UserAccount {
  return account;
}

function anyUserAccount(username: string): UserAccount {
  return {
    sub: `user:${username}`,
    username,
    name: username.charAt(0).toUpperCase() + username.slice(1),
    email: `${username}@example.test`,
    email_verified: true,
  };
}

export function createUserDirectory(options: UserDirectoryOptions = {}): UserDirectory {
  const users = (options.users ?? []).map((user) => ({ ...user }));
  const anyUser = options.dangerouslyAllowAnyUser === true;

  return {
    async authenticate(username, password) {
      const known = users.find((user) => user.username === username);
      if (known) return constantTimeEqual(known.password, password) ? withoutPassword(known) : null;
      if (anyUser && USERNAME_PATTERN.test(username)) return anyUserAccount(username);
      return null;
    },
    async findBySub(sub) {
      const known = users.find((user) => user.sub === sub);
      if (known) return withoutPassword(known);
      if (anyUser && sub.startsWith('user:') && USERNAME_PATTERN.test(sub.slice(5))) {
        return anyUserAccount(sub.slice(5));
      }
      return null;
    },
  };
}
