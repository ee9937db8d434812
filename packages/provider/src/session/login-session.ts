/**
 * The provider's own login session (OpenID Connect Core section 3.1.2.3 leaves its form to the OP):
 * an `HttpOnly`, `SameSite=Lax` cookie holding a random id, set when the user signs in with a password.
 * The store key is an HMAC of the id, so a store's key listing cannot be replayed as a cookie. A session
 * ends after an idle lifetime without use, after an absolute lifetime whatever its use, at end-session, or
 * at the next sign-in in that browser; the last two tell the clients it signed in (`onEnd`).
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { createKeyedLock } from '@latchkey/common';
import type { Context } from 'koa';
import type { KeyValueStore } from '../storage/key-value-store.js';

interface LoginSessionRecord {
  sub: string;
  /**
   * The session's public name for clients (the ID token's and logout token's `sid`, Back-Channel Logout
   * 1.0 section 2.1): random, neither the cookie value nor the store key, so it can be shown to anyone.
   */
  sid: string;
  /** Clients given a code or token in this session, who hear of its end (Back-Channel Logout section 2.7). */
  clients: string[];
  /** When the user last typed their password (epoch seconds): the ID token's `auth_time`. */
  authTime: number;
  /** Epoch seconds after which the session is over, however recently it was used. */
  expiresAt: number;
  /** Epoch seconds of the last use, for the idle lifetime. */
  lastSeenAt: number;
  /** Scopes the user allowed per client in this session; `prompt=none` needs them (section 3.1.2.6). */
  consents: Record<string, string[]>;
}

/** What remains of a session that ended: whom to tell, and about whom. */
export interface EndedLoginSession {
  readonly sub: string;
  readonly sid: string;
  readonly clients: readonly string[];
}

/** A live session: its record and the HMAC naming it in the store (never the cookie value). */
export interface LoginSession {
  readonly handle: string;
  readonly record: LoginSessionRecord;
}

export interface LoginSessions {
  /** The live session the request's cookie names, or `undefined` (none, unknown, idle or past its lifetime). */
  read(ctx: Context): Promise<LoginSession | undefined>;
  /** Signs the user in with a new id (never the one the browser sent: no fixation), ending any previous session. */
  start(ctx: Context, sub: string, authTime: number): Promise<LoginSession>;
  /**
   * Records a use (restarting the idle lifetime) and, when given, the scopes the user allowed a client,
   * which is then among the clients the session signed in.
   */
  touch(session: LoginSession, consent?: { clientId: string; scopes: readonly string[] }): Promise<void>;
  /** Ends the request's session, if any, and clears the cookie; true when there was one. Awaits `onEnd`. */
  end(ctx: Context): Promise<boolean>;
  /** Whether the request carries the session cookie at all (live or not). */
  hasCookie(ctx: Context): boolean;
}

export interface LoginSessionOptions {
  storage: KeyValueStore;
  /** Milliseconds since the epoch. */
  now(): number;
  issuer: string;
  /** The issuer's path (`''` at the root): the cookie's path. */
  basePath: string;
  idleSeconds: number;
  absoluteSeconds: number;
  /** Secret input for the HMAC key of store keys (the signing key's private bytes). */
  keyMaterial: Buffer;
  /** Called, and awaited, once for each session that end-session or a new sign-in ends. Default: none. */
  onEnd?: (ended: EndedLoginSession) => Promise<void>;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function createLoginSessions(options: LoginSessionOptions): LoginSessions {
  const { storage, idleSeconds, absoluteSeconds } = options;
  const secure = new URL(options.issuer).protocol === 'https:';
  const path = options.basePath === '' ? '/' : options.basePath;
  // `__Host-` (RFC 6265bis section 4.1.3.2) keeps sibling subdomains from planting or shadowing it.
  const cookieName = secure && path === '/' ? '__Host-latchkey-op-session' : 'latchkey-op-session';
  const hmacKey = Buffer.from(hkdfSync('sha256', options.keyMaterial, 'latchkey-provider', 'login-session-id', 32));
  const storeKey = (handle: string) => `oauth2:login-session:${handle}`;
  const handleOf = (id: string) => createHmac('sha256', hmacKey).update(id).digest('base64url');
  const nowSeconds = () => Math.floor(options.now() / 1000);

  const cookie = (value: string, maxAge: number) =>
    [`${cookieName}=${value}`, `Path=${path}`, `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])].join('; ');
  const cookieId = (ctx: Context): string | undefined => {
    const value = ctx.cookies.get(cookieName);
    return value !== undefined && ID_PATTERN.test(value) ? value : undefined;
  };
  const ttl = (record: LoginSessionRecord, now: number) => Math.max(1, Math.min(idleSeconds, record.expiresAt - now));
  // The store's TTL is the first guard; this holds for stores that keep entries longer.
  const live = (record: LoginSessionRecord, now: number) => record.expiresAt > now && record.lastSeenAt + idleSeconds > now;
  // Each update of a session record (read, change, write) and its end run one at a time per store key:
  // two authorizations completing at once in one session then both stay among its clients, and no update
  // writes back a session that ended meanwhile. The store has no compare-and-set, so this holds within one
  // provider process, which is how the provider is deployed.
  const lock = createKeyedLock();
  // `take`, so two concurrent ends of one session tell its clients once; its clients are told outside the lock.
  const endById = async (id: string): Promise<boolean> => {
    const key = storeKey(handleOf(id));
    const record = await lock.run(key, () => storage.take<LoginSessionRecord>(key));
    if (record === undefined) return false;
    await options.onEnd?.({ sub: record.sub, sid: record.sid, clients: [...record.clients] });
    return true;
  };

  return {
    async read(ctx) {
      const id = cookieId(ctx);
      if (id === undefined) return undefined;
      const handle = handleOf(id);
      const record = await storage.get<LoginSessionRecord>(storeKey(handle));
      if (!record || !live(record, nowSeconds())) return undefined;
      return { handle, record };
    },

    async start(ctx, sub, authTime) {
      const previous = cookieId(ctx);
      if (previous !== undefined) await endById(previous);
      const id = randomBytes(32).toString('base64url');
      const now = nowSeconds();
      const record: LoginSessionRecord = {
        sub,
        sid: randomBytes(16).toString('base64url'),
        clients: [],
        authTime,
        expiresAt: now + absoluteSeconds,
        lastSeenAt: now,
        consents: {},
      };
      const handle = handleOf(id);
      await storage.set(storeKey(handle), record, ttl(record, now));
      ctx.append('set-cookie', cookie(id, absoluteSeconds));
      return { handle, record };
    },

    async touch(session, consent) {
      const key = storeKey(session.handle);
      await lock.run(key, async () => {
        // Read again under the lock: the caller's copy may predate another update, or the session may have ended.
        const current = await storage.get<LoginSessionRecord>(key);
        const now = nowSeconds();
        if (!current || !live(current, now)) return;
        const record: LoginSessionRecord = { ...current, lastSeenAt: now, consents: { ...current.consents } };
        if (consent) {
          const allowed = new Set([...(record.consents[consent.clientId] ?? []), ...consent.scopes]);
          record.consents[consent.clientId] = [...allowed];
          if (!record.clients.includes(consent.clientId)) record.clients = [...record.clients, consent.clientId];
        }
        await storage.set(key, record, ttl(record, now));
      });
    },

    async end(ctx) {
      const id = cookieId(ctx);
      if (ctx.cookies.get(cookieName) !== undefined) ctx.append('set-cookie', cookie('', 0));
      if (id === undefined) return false;
      return endById(id);
    },

    hasCookie: (ctx) => ctx.cookies.get(cookieName) !== undefined,
  };
}

/** Whether the session's user allowed these scopes to this client earlier in the session. */
export function hasConsent(session: LoginSession, clientId: string, scopes: readonly string[]): boolean {
  const allowed = session.record.consents[clientId] ?? [];
  return scopes.every((scope) => allowed.includes(scope));
}
