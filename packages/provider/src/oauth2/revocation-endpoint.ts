import type { Middleware } from 'koa';
import { readForm } from '../http/body.js';
import type { ProviderRuntime } from '../runtime.js';
import { authenticateClient } from './client-auth.js';
import { noStore } from './token-endpoint.js';

/**
 * POST /oauth/revoke (RFC 7009). Unknown tokens, and tokens of other clients, get the same 200 as
 * revoked ones (section 2.2), so the endpoint reveals nothing. Revoking a refresh token revokes its
 * whole grant, access tokens included (section 2.1).
 */
export function revocationEndpoint(runtime: ProviderRuntime): Middleware {
  const { tokens, context } = runtime;
  return async (ctx) => {
    noStore(ctx);
    const params = await readForm(ctx);
    const { client } = await authenticateClient(ctx, params, context.clients);
    const token = params.require('token');
    // Section 2.1: the hint only orders the search.
    const order = params.get('token_type_hint') === 'access_token' ? (['access', 'refresh'] as const) : (['refresh', 'access'] as const);
    for (const kind of order) {
      if (kind === 'refresh') {
        const refresh = await tokens.findRefreshToken(token);
        if (refresh && refresh.clientId === client.clientId) {
          await tokens.revokeGrant(refresh.grantId, client.clientId, 'revocation');
          break;
        }
      } else {
        const access = await tokens.findAccessToken(token);
        if (access && access.clientId === client.clientId) {
          await tokens.revokeAccessToken(token);
          context.emit({ type: 'token_revoked', clientId: client.clientId, reason: 'revocation' });
          break;
        }
      }
    }
    ctx.status = 200;
    ctx.body = '';
  };
}
