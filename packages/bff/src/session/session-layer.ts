import { randomBytes } from 'node:crypto';
import type Koa from 'koa';
import type { Context, Middleware, Next } from 'koa';
import createSession from 'koa-session';
import { ConfigurationError } from '@latchkey/common';
import { BffError } from '../errors.js';
import type { OAuthToken } from '../tokens/token.js';
import type { SessionBridge } from './session-bridge.js';
import { cookieModeOf, readSessionId, type CookieMode, type ResolvedCookie } from './session-cookie.js';
import { asSessionData, emptySessionData, type BffSessionData } from './session-data.js';
import type { SessionRecord, SessionRecords } from './session-record.js';

/** The part of koa-session's session object the BFF uses. */
interface KoaSession {
  readonly isNew: boolean;
  /** This request's session lifetime in milliseconds; setting it makes koa-session write the session. */
  maxAge: number;
  readonly externalKey: string | undefined;
  user?: unknown;
  connections?: unknown;
  toJSON(): Record<string, unknown>;
  regenerate(): Promise<void> | undefined;
}
interface SessionContext {
  session: KoaSession | null;
  readonly sessionOptions: { key: string; store?: unknown };
}

interface RequestSession {
  mode: CookieMode | null;
  /** True when koa-session handles this request (the BFF's own routes, except the proxy). */
  viaKoaSession: boolean;
  loaded?: { id: string | undefined; data: BffSessionData | undefined };
  overrides?: Map<string, OAuthToken>;
}

export interface SessionLayer {
  readonly bridge: SessionBridge;
  /** Records the request's cookie mode; `viaKoaSession` for routes that may change the session. */
  begin(ctx: Context, viaKoaSession: boolean): CookieMode | null;
  /** Runs `next` inside koa-session (the session is read before and committed after). */
  run(ctx: Context, mode: CookieMode, next: Next): Promise<void>;
  /** The session's current data: for koa-session requests its copy, else one store read. */
  current(ctx: Context): Promise<BffSessionData | undefined>;
  /**
   * Ensures the browser has a session for a login transaction to be bound to, and returns its id. A
   * session without linked providers lives only as long as the login (`loginTimeoutMs`), so abandoned
   * logins leave nothing behind for longer than their transactions.
   */
  beginLogin(ctx: Context): string;
  /**
   * Replaces the session's data, optionally under a new id (login: against session fixation). A session
   * that now links a provider gets the full cookie lifetime.
   */
  replace(ctx: Context, data: BffSessionData, options: { regenerate: boolean }): Promise<void>;
  /** Deletes the session and its cookie. */
  destroy(ctx: Context): void;
}

const genid = () => randomBytes(32).toString('base64url');

function withOverrides(data: BffSessionData | undefined, overrides: Map<string, OAuthToken> | undefined): BffSessionData | undefined {
  if (data === undefined || overrides === undefined) return data;
  const connections = { ...data.connections };
  for (const [provider, token] of overrides) {
    const connection = connections[provider];
    if (connection !== undefined) connections[provider] = { ...connection, token };
  }
  return { ...data, connections };
}

export interface SessionLayerOptions {
  /** Lifetime of a session that only holds login transactions, in milliseconds. */
  preLoginMaxAgeMs: number;
}

export function createSessionLayer(records: SessionRecords, cookie: ResolvedCookie, options: SessionLayerOptions): SessionLayer {
  const preLoginMaxAgeMs = Math.min(options.preLoginMaxAgeMs, cookie.maxAgeMs);
  const requests = new WeakMap<Context, RequestSession>();
  const perApp = new WeakMap<Koa, { middleware: Middleware; options: { key: string; secure?: boolean } }>();
  const store = {
    get: async (id: string) => records.read(id),
    set: async (id: string, record: SessionRecord, ttlMs: number) => records.write(id, record, ttlMs),
    destroy: async (id: string) => records.destroy(id),
  };

  const koaSessionOf = (app: Koa) => {
    let entry = perApp.get(app);
    if (entry === undefined) {
      const options = {
        key: cookie.secureName,
        maxAge: cookie.maxAgeMs,
        httpOnly: true,
        signed: false,
        secure: true,
        sameSite: 'lax',
        overwrite: true,
        renew: true,
        rolling: false,
        store,
        genid,
        valid: (_ctx: unknown, data: unknown) => asSessionData(data) !== undefined,
      };
      entry = { middleware: createSession(options, app) as Middleware, options };
      perApp.set(app, entry);
    }
    return entry;
  };

  const sessionOf = (ctx: Context): KoaSession => {
    const session = (ctx as unknown as SessionContext).session;
    if (session === null) throw new BffError('internal_error', 'The session was already ended.');
    return session;
  };

  const load = async (ctx: Context, state: RequestSession) => {
    if (state.viaKoaSession) {
      const session = sessionOf(ctx);
      return { id: session.externalKey, data: asSessionData(session.toJSON()) };
    }
    if (state.loaded !== undefined) return state.loaded;
    const id = state.mode === null ? undefined : readSessionId(ctx, state.mode);
    const record = id === undefined ? undefined : await records.readShared(id);
    state.loaded = { id: record === undefined ? undefined : id, data: record };
    return state.loaded;
  };

  const bridge: SessionBridge = {
    async load(ctx) {
      const state = requests.get(ctx);
      if (state === undefined) return undefined;
      return withOverrides((await load(ctx, state)).data, state.overrides);
    },
    id(ctx) {
      const state = requests.get(ctx);
      if (state === undefined) return undefined;
      if (state.viaKoaSession) return sessionOf(ctx).externalKey;
      return state.loaded?.id;
    },
    async reload(ctx) {
      const id = bridge.id(ctx);
      return id === undefined ? undefined : records.read(id);
    },
    async saveToken(ctx, provider, token) {
      bridge.useToken(ctx, provider, token);
      const id = bridge.id(ctx);
      const record = id === undefined ? undefined : await records.read(id);
      const connection = record?.connections[provider];
      if (id === undefined || record === undefined || connection === undefined) return;
      connection.token = token;
      const ttlMs = typeof record._expire === 'number' ? Math.max(1_000, record._expire - Date.now() + 10_000) : cookie.maxAgeMs;
      await records.write(id, record, ttlMs);
    },
    useToken(ctx, provider, token) {
      const state = requests.get(ctx);
      if (state === undefined) return;
      state.overrides ??= new Map();
      state.overrides.set(provider, token);
    },
  };

  return {
    bridge,

    begin(ctx, viaKoaSession) {
      const mode = cookieModeOf(ctx, cookie);
      requests.set(ctx, { mode, viaKoaSession: viaKoaSession && mode !== null });
      return mode;
    },

    async run(ctx, mode, next) {
      const { middleware, options } = koaSessionOf(ctx.app);
      // koa-session keeps one option set per app; the cookie's name and Secure flag depend on the request
      // (loopback development), so they are set right before koa-session copies the options for this
      // request, synchronously at the start of its middleware.
      options.key = mode.name;
      options.secure = mode.secure;
      await middleware(ctx, async () => {
        const sessionOptions = (ctx as unknown as SessionContext).sessionOptions;
        if (sessionOptions.store !== store || sessionOptions.key !== mode.name) {
          throw new ConfigurationError('app', 'Another koa-session is installed on this app; the BFF needs its own ctx.session.');
        }
        await next();
      });
    },

    async current(ctx) {
      return bridge.load(ctx);
    },

    beginLogin(ctx) {
      const session = sessionOf(ctx);
      const data = asSessionData(session.toJSON());
      if (data === undefined) {
        const empty = emptySessionData();
        session.user = empty.user;
        session.connections = empty.connections;
      }
      // Setting maxAge makes koa-session write the session (and its cookie) with that lifetime; a
      // session that already links a provider keeps its own.
      if (data === undefined || Object.keys(data.connections).length === 0) session.maxAge = preLoginMaxAgeMs;
      return session.externalKey as string;
    },

    async replace(ctx, data, { regenerate }) {
      const session = sessionOf(ctx);
      session.user = data.user;
      session.connections = data.connections;
      // koa-session keeps the lifetime a session was stored with, also across regenerate().
      if (Object.keys(data.connections).length > 0 && session.maxAge !== cookie.maxAgeMs) session.maxAge = cookie.maxAgeMs;
      if (regenerate) await session.regenerate();
      const state = requests.get(ctx);
      if (state !== undefined) delete state.overrides;
    },

    destroy(ctx) {
      (ctx as unknown as SessionContext).session = null;
    },
  };
}
