import { ConfigurationError } from '@latchkey/common';
import type { Context, Middleware } from 'koa';
import type { DpopServer } from '../dpop/dpop-server.js';
import { isProtocolError, ProtocolError } from '../errors/protocol-error.js';
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
  /**
   * The origin clients call these routes at, which DPoP proofs name in `htu` (RFC 9449 section 4.3), when
   * it is not the issuer's (routes of another app). Default: the issuer's origin.
   */
  publicOrigin?: string;
}

/** What `requireOAuth2` needs of the provider: its context, its token store and its DPoP proof checks. */
export interface OAuth2ResourceServer {
  context: ProviderContext;
  tokens: TokenService;
  dpop: DpopServer;
}

/** Where a bearer token may come from besides the Authorization header. */
interface Placement {
  bearerInQuery: boolean;
  bearerInBody: boolean;
}

interface PresentedToken {
  token: string;
  /** `dpop` for `Authorization: DPoP` (RFC 9449 section 7.1), which needs a proof beside it. */
  scheme: 'bearer' | 'dpop';
}

const invalidToken = (description: string) => new ProtocolError('invalid_token', description, { challenge: 'Bearer' });
/** RFC 9449 section 7.1: refusals about DPoP-bound tokens and their proofs are DPoP challenges (401). */
const dpopRefusal = (code: 'invalid_token' | 'invalid_dpop_proof', description: string) =>
  new ProtocolError(code, description, { challenge: 'DPoP', status: 401 });

function checkOrigin(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== value.replace(/\/$/, '')) {
    throw new ConfigurationError('publicOrigin', 'publicOrigin must be an http or https origin, without a path.');
  }
  return url.origin;
}

/** RFC 6750 section 2 and RFC 9449 section 7.1: the token from exactly one of the allowed places. */
async function extractToken(ctx: Context, options: Placement): Promise<PresentedToken | undefined> {
  const found: PresentedToken[] = [];
  const header = ctx.get('authorization');
  if (header !== '') {
    const match = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (!match?.[1] || !match[2]) throw invalidToken('The Authorization header is not a Bearer or DPoP token.');
    found.push({ token: match[2], scheme: match[1].toLowerCase() === 'dpop' ? 'dpop' : 'bearer' });
  }
  if (options.bearerInQuery) {
    const value = Params.parse(ctx.querystring).get('access_token');
    if (value !== undefined) found.push({ token: value, scheme: 'bearer' });
  }
  if (options.bearerInBody && ctx.method !== 'GET' && ctx.method !== 'HEAD' && isFormRequest(ctx)) {
    const value = Params.parse((await readRawBody(ctx)).toString('utf8')).get('access_token');
    if (value !== undefined) found.push({ token: value, scheme: 'bearer' });
  }
  // Section 2: "Clients MUST NOT use more than one method to transmit the token in each request."
  if (found.length > 1) throw new ProtocolError('invalid_request', 'Send the access token in one place only.');
  return found[0];
}

/**
 * Koa middleware protecting a resource with OAuth 2 access tokens: bearer tokens (RFC 6750) and
 * DPoP-bound ones with their proofs (RFC 9449 section 7). Authenticates before `next()`, sets
 * `ctx.state.latchkey`, and throws `ProtocolError`s that the resource error middleware renders as
 * `WWW-Authenticate: Bearer` or `DPoP` challenges; errors from downstream pass through untouched.
 */
export function requireOAuth2(server: OAuth2ResourceServer, options: RequireOAuth2Options = {}): Middleware {
  const required = typeof options.scope === 'string' ? options.scope.split(' ').filter(Boolean) : [...(options.scope ?? [])];
  const placement = { bearerInQuery: options.bearerInQuery === true, bearerInBody: options.bearerInBody === true };
  const origin = options.publicOrigin === undefined ? undefined : checkOrigin(options.publicOrigin);
  return async (ctx, next) => {
    ctx.state.latchkey = await authenticateBearer(ctx, server, placement, required, origin);
    await next();
  };
}

async function authenticateBearer(
  ctx: Context,
  server: OAuth2ResourceServer,
  placement: Placement,
  required: readonly string[],
  origin: string | undefined,
): Promise<ResourceAuth> {
  const presented = await extractToken(ctx, placement);
  if (presented === undefined) {
    throw new ProtocolError('invalid_token', 'An access token is required.', { challenge: 'Bearer', bareChallenge: true });
  }
  const { token, scheme } = presented;
  const record = await server.tokens.findAccessToken(token);
  if (scheme === 'dpop') {
    // The token first: a proof's jti is spent only for a live token, so self-made proofs beside junk
    // tokens cannot fill the nonce class of the store.
    if (!record) throw dpopRefusal('invalid_token', 'The access token is invalid or expired.');
    const jkt = await verifyProof(ctx, server, token, origin);
    if (record.jkt !== jkt) throw dpopRefusal('invalid_token', "The access token is not bound to the DPoP proof's key.");
  } else {
    if (!record) throw invalidToken('The access token is invalid or expired.');
    // Section 7.2: a DPoP-bound token shown as a bearer token is a stolen copy, or a client that forgot its proof.
    if (record.jkt !== undefined) throw dpopRefusal('invalid_token', 'This access token is DPoP-bound: send it as DPoP with a proof.');
  }
  let user = null;
  if (record.sub !== null) {
    user = await server.context.users.findBySub(record.sub);
    if (!user) throw invalidToken("The access token's user no longer exists.");
  }
  const missing = required.filter((scope) => !record.scopes.includes(scope));
  if (missing.length > 0) {
    throw new ProtocolError('insufficient_scope', 'The access token lacks a required scope.', {
      challenge: scheme === 'dpop' ? 'DPoP' : 'Bearer',
      scope: required.join(' '),
    });
  }
  return { protocol: 'oauth2', clientId: record.clientId, user, scopes: [...record.scopes] };
}

/** The proof that must come with `Authorization: DPoP`, whose `ath` is the token's hash (section 7.1). */
async function verifyProof(ctx: Context, server: OAuth2ResourceServer, token: string, origin: string | undefined): Promise<string> {
  let jkt: string | undefined;
  try {
    jkt = await server.dpop.verify(ctx, token, origin);
  } catch (error) {
    if (!isProtocolError(error) || (error.code !== 'invalid_dpop_proof' && error.code !== 'use_dpop_nonce')) throw error;
    // At a resource, both are 401 challenges (sections 7.1 and 9), the nonce sent beside it.
    throw new ProtocolError(error.code, error.message, {
      challenge: 'DPoP',
      status: 401,
      cause: error,
      ...(error.dpopNonce === undefined ? {} : { dpopNonce: error.dpopNonce }),
    });
  }
  if (jkt === undefined) throw dpopRefusal('invalid_dpop_proof', 'A DPoP token needs a DPoP proof.');
  return jkt;
}
