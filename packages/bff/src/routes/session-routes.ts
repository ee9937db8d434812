import type { Context } from 'koa';
import type { BffConnection, BffProvidersResponse, BffSessionResponse } from '@latchkey/common';
import { BffError } from '../errors.js';
import { checkCsrf } from '../http/csrf.js';
import { errorFields, sendJson, toBffError } from '../http/respond.js';
import type { BffSessionData, SessionConnection } from '../session/session-data.js';
import type { BffRuntime } from '../bff/bff-runtime.js';

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
async function revoke(bff: BffRuntime, provider: string, connection: SessionConnection): Promise<void> {
  if (!bff.revokeOnLogout || connection.token.kind !== 'oauth2' || !bff.registry.has(provider)) return;
  const oauth2 = bff.registry.runtime(provider).oauth2;
  if (oauth2 === undefined) return;
  try {
    const revoked = await oauth2.revoke(connection.token);
    if (revoked) bff.logger.info('tokens revoked', { provider });
  } catch (error) {
    bff.logger.warn('revocation failed', { ...errorFields(toBffError(error)), provider });
  }
}

async function freshData(bff: BffRuntime, ctx: Context): Promise<BffSessionData | undefined> {
  return (await bff.sessions.bridge.reload(ctx)) ?? (await bff.sessions.current(ctx));
}

/** `POST /logout`: revokes every linked provider's tokens and ends the session. */
export function logoutRoute(bff: BffRuntime) {
  return async (ctx: Context): Promise<void> => {
    checkCsrf(ctx, bff.allowedOrigins);
    const data = await freshData(bff, ctx);
    await Promise.all(Object.entries(data?.connections ?? {}).map(([provider, connection]) => revoke(bff, provider, connection)));
    bff.sessions.destroy(ctx);
    bff.logger.info('logged out', { providers: Object.keys(data?.connections ?? {}).length });
    ctx.set('cache-control', 'no-store');
    ctx.status = 204;
  };
}

/** `POST /disconnect/:provider`: unlinks one provider (revoking its tokens) and keeps the session. */
export function disconnectRoute(bff: BffRuntime) {
  return async (ctx: Context, provider: string): Promise<void> => {
    checkCsrf(ctx, bff.allowedOrigins);
    if (!bff.registry.has(provider)) throw new BffError('unknown_provider', 'No such provider.');
    const data = await freshData(bff, ctx);
    const connection = data?.connections[provider];
    if (data !== undefined && connection !== undefined) {
      await revoke(bff, provider, connection);
      const { [provider]: _removed, ...connections } = data.connections;
      const user = Object.keys(connections).length === 0 ? null : data.user;
      await bff.sessions.replace(ctx, { user, connections }, { regenerate: false });
      bff.logger.info('provider disconnected', { provider });
    }
    ctx.set('cache-control', 'no-store');
    ctx.status = 204;
  };
}
