import type { Middleware } from 'koa';
import { ProtocolError } from '../errors/protocol-error.js';
import type { ResourceAuth } from '../provider-context.js';
import { claimsForScopes } from './claims.js';

/** GET/POST /userinfo (OpenID Connect Core section 5.3): claims by granted scope; needs a user token. */
export const userinfoEndpoint: Middleware = (ctx) => {
  const { user, scopes } = ctx.state.latchkey as ResourceAuth;
  if (!user) throw new ProtocolError('invalid_token', 'The access token has no user.', { challenge: 'Bearer' });
  ctx.set('cache-control', 'no-store');
  ctx.body = claimsForScopes(user, scopes);
};
