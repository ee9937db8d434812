import type { Context, Middleware } from 'koa';
import { ProtocolError } from '../errors/protocol-error.js';
import { isFormRequest, readRawBody } from '../http/body.js';
import { Params } from '../http/params.js';
import type { ProviderContext, ResourceAuth } from '../provider-context.js';
import type { TokenService } from '../tokens/token-service.js';

export interface RequireOAuth2Options {
  /** Scopes the access token must all carry. Default: none. */
  scope?: string | string[];
  /** Accept `access_token` in the query (RFC 6750 section 2.3). Default false. */
  bearerInQuery?: boolean;
  /** Accept `access_token` in a form body (RFC 6750 section 2.2). Default false. */
  bearerInBody?: boolean;
}

/** What `requireOAuth2` needs of the provider: its context and its token store. */
export interface OAuth2ResourceServer {
  context: ProviderContext;
  tokens: TokenService;
}

const invalidToken = (description: string) => new ProtocolError('invalid_token', description, { challenge: 'Bearer' });

/** RFC 6750 section 2: the token from exactly one of the allowed places. */
async function extractToken(ctx: Context, options: Required<Omit<RequireOAuth2Options, 'scope'>>): Promise<string | undefined> {
  const found: string[] = [];
  const header = ctx.get('authorization');
  if (header !== '') {
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (!match?.[1]) throw invalidToken('The Authorization header is not a Bearer token.');
    found.push(match[1]);
  }
  if (options.bearerInQuery) {
    const value = Params.parse(ctx.querystring).get('access_token');
    if (value !== undefined) found.push(value);
  }
  if (options.bearerInBody && ctx.method !== 'GET' && ctx.method !== 'HEAD' && isFormRequest(ctx)) {
    const value = Params.parse((await readRawBody(ctx)).toString('utf8')).get('access_token');
    if (value !== undefined) found.push(value);
  }
  // Section 2: "Clients MUST NOT use more than one method to transmit the token in each request."
  if (found.length > 1) throw new ProtocolError('invalid_request', 'Send the access token in one place only.');
  return found[0];
}

/**
 * Koa middleware protecting a resource with OAuth 2 bearer tokens (RFC 6750). Authenticates before
 * `next()`, sets `ctx.state.latchkey`, and throws `ProtocolError`s that the resource error middleware
 * renders as `WWW-Authenticate: Bearer` challenges; errors from downstream pass through untouched.
 */
export function requireOAuth2(server: OAuth2ResourceServer, options: RequireOAuth2Options = {}): Middleware {
  const required = typeof options.scope === 'string' ? options.scope.split(' ').filter(Boolean) : [...(options.scope ?? [])];
  const placement = { bearerInQuery: options.bearerInQuery === true, bearerInBody: options.bearerInBody === true };
  return async (ctx, next) => {
    ctx.state.latchkey = await authenticateBearer(ctx, server, placement, required);
    await next();
  };
}

async function authenticateBearer(
  ctx: Context,
  server: OAuth2ResourceServer,
  placement: Required<Omit<RequireOAuth2Options, 'scope'>>,
  required: readonly string[],
): Promise<ResourceAuth> {
  const token = await extractToken(ctx, placement);
  if (token === undefined) {
    throw new ProtocolError('invalid_token', 'An access token is required.', { challenge: 'Bearer', bareChallenge: true });
  }
  const record = await server.tokens.findAccessToken(token);
  if (!record) throw invalidToken('The access token is invalid or expired.');
  let user = null;
  if (record.sub !== null) {
    user = await server.context.users.findBySub(record.sub);
    if (!user) throw invalidToken("The access token's user no longer exists.");
  }
  const missing = required.filter((scope) => !record.scopes.includes(scope));
  if (missing.length > 0) {
    throw new ProtocolError('insufficient_scope', 'The access token lacks a required scope.', {
      challenge: 'Bearer',
      scope: required.join(' '),
    });
  }
  return { protocol: 'oauth2', clientId: record.clientId, user, scopes: [...record.scopes] };
}
