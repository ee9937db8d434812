// RFC 9126: OAuth 2.0 Pushed Authorization Requests.
import { randomBytes } from 'node:crypto';
import type { Middleware } from 'koa';
import { ProtocolError } from '../errors/protocol-error.js';
import { isFormRequest, readRawBody } from '../http/body.js';
import { MAX_PARAMETER_LENGTH, Params } from '../http/params.js';
import type { ProviderRuntime } from '../runtime.js';
import { validateAuthorizationRequest } from './authorize-request.js';
import { authenticateClient } from './client-auth.js';
import { noStore } from './token-endpoint.js';

/** RFC 9126 section 2.2: the `request_uri` is a URN the provider alone can resolve. */
const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/** What is kept of a pushed request: the authenticated client and its parameters, without its credentials. */
interface PushedRequest {
  clientId: string;
  parameters: string;
}

const pushedRequestKey = (id: string) => `oauth2:par:${id}`;

/**
 * POST /oauth/par (RFC 9126 section 2). The client authenticates exactly as at the token endpoint and
 * the parameters are validated exactly as at the authorization endpoint; errors are JSON (section 2.3).
 */
export function pushedAuthorizationRequestEndpoint(runtime: ProviderRuntime): Middleware {
  const { context, lifetimes } = runtime;
  return async (ctx) => {
    noStore(ctx);
    if (!isFormRequest(ctx)) throw new ProtocolError('invalid_request', 'The body must be application/x-www-form-urlencoded.');
    const text = (await readRawBody(ctx)).toString('utf8');
    const params = Params.parse(text);
    const { client } = await authenticateClient(ctx, params, context.clients);
    // Section 2.1: a pushed request cannot itself point at another one.
    if (params.has('request_uri')) throw new ProtocolError('invalid_request', 'request_uri cannot be pushed.');

    const pushed = new URLSearchParams(text);
    pushed.delete('client_secret');
    // With Basic authentication the body may leave client_id out; the authorization request needs it.
    if (!pushed.has('client_id')) pushed.set('client_id', client.clientId);
    // RFC 9449 section 10.1: a DPoP proof here binds the code to its key, as `dpop_jkt` would; both must agree.
    const proofJkt = await runtime.dpop.verify(ctx);
    if (proofJkt !== undefined) {
      const named = pushed.getAll('dpop_jkt');
      if (named.some((jkt) => jkt !== proofJkt)) {
        throw new ProtocolError('invalid_request', "dpop_jkt does not match the DPoP proof's key.");
      }
      pushed.set('dpop_jkt', proofJkt);
    }
    const parameters = pushed.toString();
    await validateAuthorizationRequest(ctx, runtime, parameters);

    const id = randomBytes(32).toString('base64url');
    const record: PushedRequest = { clientId: client.clientId, parameters };
    await context.storage.set(pushedRequestKey(id), record, lifetimes.pushedAuthorizationRequest);
    ctx.status = 201;
    ctx.body = { request_uri: `${REQUEST_URI_PREFIX}${id}`, expires_in: lifetimes.pushedAuthorizationRequest };
  };
}

/**
 * The parameters an authorization request stands for (RFC 9126 section 4). With `request_uri`, only
 * the pushed parameters count: it is used up here, and must have been pushed by the same `client_id`.
 * Without it, a client that must push (section 5 and 6) is refused. Neither error redirects: the
 * redirect URI is not yet trusted.
 */
export async function resolvePushedRequest(runtime: ProviderRuntime, text: string): Promise<string> {
  const { context } = runtime;
  const raw = new URLSearchParams(text);
  const clientIds = raw.getAll('client_id');
  const clientId = clientIds.length === 1 ? clientIds[0] : undefined;
  const requestUris = raw.getAll('request_uri');
  if (requestUris.length === 0) {
    const client = clientId === undefined ? undefined : await context.clients.get(clientId);
    if (runtime.requirePushedAuthorizationRequests || client?.requirePushedAuthorizationRequests === true) {
      throw new ProtocolError('invalid_request', 'This client must push its authorization requests (RFC 9126).');
    }
    return text;
  }
  const [requestUri] = requestUris;
  if (requestUris.length > 1 || requestUri === undefined || requestUri.length > MAX_PARAMETER_LENGTH) {
    throw new ProtocolError('invalid_request', 'request_uri must be sent once.');
  }
  if (!requestUri.startsWith(REQUEST_URI_PREFIX)) {
    throw new ProtocolError('request_uri_not_supported', 'Only request_uri values from the pushed authorization endpoint are supported.');
  }
  if (clientId === undefined) throw new ProtocolError('invalid_request', 'client_id is required.');
  const pushed = await context.storage.take<PushedRequest>(pushedRequestKey(requestUri.slice(REQUEST_URI_PREFIX.length)));
  if (!pushed || pushed.clientId !== clientId) {
    throw new ProtocolError('invalid_request_uri', 'The request_uri is unknown, expired, already used or was pushed by another client.');
  }
  return pushed.parameters;
}
