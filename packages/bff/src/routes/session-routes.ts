import type { Context } from 'koa';
import type { BffConnection, BffLogoutResponse, BffProvidersResponse, BffSessionResponse } from '@latchkey/common';
import { BffError } from '../errors.js';
import { checkCsrf } from '../http/csrf.js';
import { errorFields, sendJson, toBffError } from '../http/respond.js';
import type { SessionConnection } from '../tokens/session-data.js';
import type { OAuthToken } from '../tokens/token.js';
import type { BffRuntime } from '../bff/bff-runtime.js';
import { endSessionUrl, readLogoutRequest } from './end-session.js';

function toConnection(provider: string, connection: SessionConnection): BffConnection {
  const { token } = connection;
  return {
    provider,
    protocol: connection.protocol,
    expiresAt: token.kind === 'oauth2' ? (token.expiresAt ?? null) : null,
    scopes: token.kind === 'oauth2' ? [...token.scopes] : [],
  };
}

/** `GET /session`: who is logged in and which providers are linked; never a token. */
export function sessionRoute(bff: BffRuntime) {
  return async (ctx: Context): Promise<void> => {
    const data = await bff.sessions.current(ctx);
    const connections = Object.entries(data?.connections ?? {}).map(([provider, connection]) => toConnection(provider, connection));
    const body: BffSessionResponse = { authenticated: connections.length > 0, user: data?.user ?? null, connections };
    sendJson(ctx, body);
  };
}

/** `GET /providers`: the registered providers, for "Log in with ..." buttons. */
export function providersRoute(bff: BffRuntime) {
  let cached: { count: number; body: BffProvidersResponse } | undefined;
  return async (ctx: Context): Promise<void> => {
    const names = bff.registry.names();
    if (cached === undefined || cached.count !== names.length) {
      const providers = names.map((name) => {
        const { config } = bff.registry.runtime(name);
        return { name, displayName: config.displayName, protocol: config.protocol };
      });
      cached = { count: names.length, body: { providers } };
    }
    sendJson(ctx, cached.body);
  };
}

/** RFC 7009 where the provider offers it; a failure is logged and does not block the logout. */
export async function revokeToken(bff: BffRuntime, provider: string, token: OAuthToken): Promise<void> {
  if (!bff.revokeOnLogout || token.kind !== 'oauth2' || !bff.registry.has(provider)) return;
  const oauth2 = bff.registry.runtime(provider).oauth2;
  if (oauth2 === undefined) return;
  try {
    const revoked = await oauth2.revoke(token);
    if (revoked) bff.logger.info('tokens revoked', { provider });
  } catch (error) {
    bff.logger.warn('revocation failed', { ...errorFields(toBffError(error)), provider });
  }
}

/**
 * The tokens a session holds for a provider: the stored one, and a refreshed one the store did not take
 * yet (kept in memory through a store outage), which is the live grant then.
 */
function heldTokens(bff: BffRuntime, ctx: Context, provider: string, stored: OAuthToken): OAuthToken[] {
  const id = bff.sessions.bridge.id(ctx);
  const unsaved = id === undefined || !bff.registry.has(provider) ? undefined : bff.registry.runtime(provider).tokens.unsavedToken(id);
  return unsaved === undefined ? [stored] : [stored, unsaved];
}

async function revokeHeld(bff: BffRuntime, ctx: Context, provider: string, stored: OAuthToken): Promise<void> {
  for (const token of heldTokens(bff, ctx, provider, stored)) await revokeToken(bff, provider, token);
}

/**
 * `POST /logout`: revokes every linked provider's tokens and ends the session. It waits for any refresh
 * in flight (it takes each provider's refresh lock), so it revokes the tokens the session holds after
 * it, and the session it destroys is not written back. With `{ "endSession": true }` it then answers
 * 200 with the provider's end-session URL, when a linked provider offers one (`end-session.ts`).
 */
export function logoutRoute(bff: BffRuntime) {
  return async (ctx: Context): Promise<void> => {
    checkCsrf(ctx, bff.allowedOrigins);
    const request = await readLogoutRequest(bff, ctx);
    const connections = await bff.sessions.withLocks(ctx, 'linked', async (fresh) => {
      const linked = Object.entries(fresh?.record.connections ?? {});
      await Promise.all(linked.map(([provider, connection]) => revokeHeld(bff, ctx, provider, connection.token)));
      await bff.sessions.destroy(ctx);
      return linked;
    });
    bff.logger.info('logged out', { providers: connections.length });
    ctx.set('cache-control', 'no-store');
    const url = request === undefined ? undefined : await endSessionUrl(bff, ctx, connections, request);
    if (url === undefined) {
      ctx.status = 204;
      return;
    }
    const body: BffLogoutResponse = { endSessionUrl: url };
    sendJson(ctx, body);
  };
}

/** `POST /disconnect/:provider`: unlinks one provider (revoking its tokens, after any refresh in flight) and keeps the session. */
export function disconnectRoute(bff: BffRuntime) {
  return async (ctx: Context, provider: string): Promise<void> => {
    checkCsrf(ctx, bff.allowedOrigins);
    if (!bff.registry.has(provider)) throw new BffError('unknown_provider', 'No such provider.');
    const removed = await bff.sessions.withLocks(ctx, [provider], async (fresh) => {
      const connection = fresh?.record.connections[provider];
      if (connection === undefined) return false;
      await revokeHeld(bff, ctx, provider, connection.token);
      // Other providers' refreshes may write meanwhile: the update is read again and retried on a conflict.
      return bff.sessions.update(ctx, (stored) => {
        const { [provider]: _removed, ...connections } = stored.connections;
        return { user: Object.keys(connections).length === 0 ? null : stored.user, connections };
      });
    });
    if (removed) bff.logger.info('provider disconnected', { provider });
    ctx.set('cache-control', 'no-store');
    ctx.status = 204;
  };
}
