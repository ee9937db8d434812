import type { Context, Middleware, Next } from 'koa';
import Router from '@koa/router';
import { ConfigurationError, DEFAULT_BFF_BASE_PATH } from '@latchkey/common';
import { BffError } from './errors.js';
import { normalizeOrigins, requestOrigin } from './http/csrf.js';
import { sendError, toBffError } from './http/respond.js';
import { OAuthRegistry } from './registry/registry.js';
import { proxyRoute } from './proxy/proxy-route.js';
import { callbackRoute } from './routes/callback.js';
import { backchannelLogoutRoute } from './routes/backchannel-logout.js';
import { createBackchannelLogout } from './logout/backchannel-logout.js';
import { loginRoute } from './routes/login.js';
import { loggedOutRoute } from './routes/end-session.js';
import { disconnectRoute, logoutRoute, providersRoute, revokeToken, sessionRoute } from './routes/session-routes.js';
import { createTransactionStore } from './session/login-transaction.js';
import type { BffState } from './tokens/session-bridge.js';
import { resolveCookie } from './session/session-cookie.js';
import { createSessionLayer } from './session/session-layer.js';
import { indexedSessionRecords } from './session/indexed-records.js';
import { createSessionRecords } from './session/session-record.js';
import { boundedSessionStore, boundedTransactionCache } from './stores/bounded-call.js';
import { createKeyNames } from './stores/key-names.js';
import { createMemoryStore, isMemoryStore } from './stores/memory-store.js';
import { createSealer } from './stores/sealed.js';
import type { BffRuntime } from './bff/bff-runtime.js';
import type { CreateBffOptions } from './bff/options.js';

const BASE_PATH = /^(\/[A-Za-z0-9._~-]+)+$/;

function positiveInteger(value: number | undefined, fallback: number, option: string): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved <= 0) throw new ConfigurationError(option, `${option} must be a positive whole number.`);
  return resolved;
}

function resolvePublicOrigin(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
  } catch (cause) {
    throw new ConfigurationError('publicOrigin', 'publicOrigin must be an origin such as https://app.example.', { cause });
  }
  throw new ConfigurationError('publicOrigin', 'publicOrigin must be an http: or https: origin.');
}

/**
 * The backend-for-frontend as one Koa middleware: routes under `basePath` (login, callback, session,
 * providers, logout, disconnect, and the API proxy), and for every other request a session bridge on
 * `ctx.state.latchkey` so the app's own routes can call `registry.client(name).get(path, { ctx })`.
 * Options are checked and resolved here, once.
 */
export function createBff(options: CreateBffOptions): Middleware {
  if (!(options.registry instanceof OAuthRegistry)) throw new ConfigurationError('registry', 'registry must be an OAuthRegistry.');
  if (!Array.isArray(options.keys)) throw new ConfigurationError('keys', 'keys must be an array of secrets.');
  const basePath = options.basePath ?? DEFAULT_BFF_BASE_PATH;
  if (!BASE_PATH.test(basePath))
    throw new ConfigurationError('basePath', 'basePath must be a path such as /bff, without a trailing slash.');
  const sealer = createSealer(options.keys);
  const cookie = resolveCookie(options.cookie);
  const registry = options.registry;
  const logger = options.logger ?? registry.logger;
  const store = options.store ?? createMemoryStore();
  if (isMemoryStore(store) && Object.is(store, registry.cache)) {
    throw new ConfigurationError(
      'store',
      'Give sessions and the registry cache two memory stores: in one, anonymous login starts would push out sessions.',
    );
  }
  const storeTimeoutMs = positiveInteger(options.storeTimeoutMs, 2_000, 'storeTimeoutMs');
  const sessionCacheSize = options.sessionCacheSize ?? 1_000;
  const names = createKeyNames(options.keys, { sessionsKept: sessionCacheSize });
  // Sessions follow the registry's clock, as token expiry does.
  const now = () => registry.now();
  const sessionStore = boundedSessionStore(store, storeTimeoutMs);
  const backchannel = createBackchannelLogout(sessionStore, names, now, options.backchannelLogout);
  const records = indexedSessionRecords(
    createSessionRecords(sessionStore, sealer, names, { now, openedCacheSize: sessionCacheSize }),
    backchannel.index,
    logger,
  );
  const loginTimeoutMs = positiveInteger(options.loginTimeoutMs, 600_000, 'loginTimeoutMs');
  // Built below; a token refreshed for a session that ended meanwhile is revoked through it.
  let runtime: BffRuntime | undefined;
  const sessions = createSessionLayer(records, cookie, {
    lock: registry.refreshLock,
    now,
    loginTimeoutMs,
    logger,
    logoutIndex: backchannel.index,
    orphanedToken: async (provider, token) => {
      if (runtime !== undefined) await revokeToken(runtime, provider, token);
    },
  });
  const publicOrigin = resolvePublicOrigin(options.publicOrigin);

  const bff: BffRuntime = Object.freeze({
    registry,
    basePath,
    sessions,
    transactions: createTransactionStore(boundedTransactionCache(registry.cache, storeTimeoutMs), sealer, names, loginTimeoutMs),
    onLogin: options.onLogin,
    allowedOrigins: normalizeOrigins(options.allowedOrigins ?? (publicOrigin === undefined ? undefined : [publicOrigin])),
    publicOrigin,
    maxBodyBytes: positiveInteger(options.maxBodyBytes, 1_048_576, 'maxBodyBytes'),
    bodyTimeoutMs: positiveInteger(options.bodyTimeoutMs, 30_000, 'bodyTimeoutMs'),
    revokeOnLogout: options.revokeOnLogout !== false,
    logger,
    callbackUri: (ctx: Context, provider: string) => `${publicOrigin ?? requestOrigin(ctx)}${basePath}/callback/${provider}`,
    loggedOutUri: (ctx: Context, provider: string) => `${publicOrigin ?? requestOrigin(ctx)}${basePath}/logged-out/${provider}`,
  });

  runtime = bff;
  const proxy = proxyRoute(bff);
  const login = loginRoute(bff);
  const callback = callbackRoute(bff);
  const disconnect = disconnectRoute(bff);
  const loggedOut = loggedOutRoute(bff);
  const router = new Router({ prefix: basePath });
  router.get('/login/:provider', (ctx) => login(ctx, ctx.params.provider as string));
  router.get('/callback/:provider', (ctx) => callback(ctx, ctx.params.provider as string));
  router.get('/session', sessionRoute(bff));
  router.get('/providers', providersRoute(bff));
  router.post('/logout', logoutRoute(bff));
  router.get('/logged-out/:provider', (ctx) => loggedOut(ctx, ctx.params.provider as string));
  router.post('/disconnect/:provider', (ctx) => disconnect(ctx, ctx.params.provider as string));
  const backchannelLogout = backchannelLogoutRoute(bff, backchannel);
  router.post('/backchannel-logout/:provider', (ctx) => backchannelLogout(ctx, ctx.params.provider as string));
  const routes = router.routes();
  // The same for every request: nothing is made per request for the app's own routes.
  const latchkeyState: NonNullable<BffState['latchkey']> = Object.freeze({ sessions: sessions.bridge });
  const apiPrefix = `${basePath}/api/`;
  const notFound = async () => {
    throw new BffError('not_found', 'No such BFF route.');
  };

  return async function latchkeyBff(ctx: Context, next: Next): Promise<void> {
    const path = ctx.path;
    const ours = path === basePath || path.startsWith(`${basePath}/`);
    (ctx.state as BffState).latchkey = latchkeyState;
    const isProxy = ours && path.startsWith(apiPrefix);
    const mode = sessions.begin(ctx, ours && !isProxy);
    if (!ours) {
      await next();
      return;
    }
    try {
      if (mode === null) {
        throw new BffError('internal_error', 'The BFF must be served over https.', {
          cause: new ConfigurationError('cookie', 'Plain HTTP outside localhost; behind a TLS proxy, set app.proxy = true.'),
        });
      }
      if (isProxy) {
        // The proxy never changes the session: one store read, nothing written.
        const rest = path.slice(apiPrefix.length);
        const slash = rest.indexOf('/');
        const provider = slash === -1 ? rest : rest.slice(0, slash);
        await proxy(ctx, provider, slash === -1 ? '' : rest.slice(slash + 1));
        return;
      }
      await sessions.run(ctx, () => routes(ctx as Parameters<typeof routes>[0], notFound));
    } catch (error) {
      // An error after a route chose a redirect answers with the error alone, never a 5xx with a Location.
      ctx.remove('location');
      sendError(ctx, toBffError(error), logger, isProxy ? 'proxy' : path.slice(basePath.length));
    }
  };
}
