import type { Middleware } from 'koa';
import { isPublicClient } from '../clients/client-record.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { readForm } from '../http/body.js';
import type { ProviderRuntime } from '../runtime.js';
import { authenticateClient } from './client-auth.js';
import { formatScope } from './scope.js';
import { noStore } from './token-endpoint.js';

/**
 * POST /oauth/introspect (RFC 7662): for authenticated (confidential) clients. A client learns about
 * its own tokens; a client registered as a resource server about any. Anything else, and anything not
 * live, is `active: false` (section 2.2), so a client cannot read another client's grants.
 */
export function introspectionEndpoint(runtime: ProviderRuntime): Middleware {
  const { tokens, context } = runtime;
  return async (ctx) => {
    noStore(ctx);
    const params = await readForm(ctx);
    const { client } = await authenticateClient(ctx, params, context.clients);
    // Section 2.1: the endpoint must not let anyone probe tokens; public clients cannot authenticate.
    if (isPublicClient(client)) throw new ProtocolError('invalid_client', 'Introspection needs client authentication.');
    const token = params.require('token');
    const hint = params.get('token_type_hint');
    const base = { iss: context.issuer };
    const mayDescribe = (owner: string) => owner === client.clientId || client.resourceServer === true;

    const lookups = hint === 'refresh_token' ? (['refresh', 'access'] as const) : (['access', 'refresh'] as const);
    for (const kind of lookups) {
      if (kind === 'access') {
        const access = await tokens.findAccessToken(token);
        if (!access) continue;
        if (!mayDescribe(access.clientId)) break;
        const user = access.sub === null ? null : await context.users.findBySub(access.sub);
        if (access.sub !== null && !user) break;
        ctx.body = {
          active: true,
          ...base,
          scope: formatScope(access.scopes),
          client_id: access.clientId,
          // RFC 9449 section 6.2: a key-bound token says so and names its key.
          ...(access.jkt === undefined ? { token_type: 'Bearer' } : { token_type: 'DPoP', cnf: { jkt: access.jkt } }),
          exp: access.expiresAt,
          iat: access.issuedAt,
          ...(access.sub === null ? {} : { sub: access.sub, username: user?.username }),
          aud: access.clientId,
        };
        return;
      }
      const refresh = await tokens.findRefreshToken(token);
      if (!refresh) continue;
      if (!mayDescribe(refresh.clientId)) break;
      ctx.body = {
        active: true,
        ...base,
        scope: formatScope(refresh.scopes),
        client_id: refresh.clientId,
        token_type: 'refresh_token',
        ...(refresh.jkt === undefined ? {} : { cnf: { jkt: refresh.jkt } }),
        exp: refresh.expiresAt,
        iat: refresh.issuedAt,
        sub: refresh.sub,
        aud: refresh.clientId,
      };
      return;
    }
    ctx.body = { active: false };
  };
}
