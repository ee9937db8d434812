import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { ProtocolError } from '../errors/protocol-error.js';
import { Params } from './params.js';

/** Largest request body the provider reads, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

const bodies = new WeakMap<IncomingMessage, Buffer>();

/**
 * Reads the request body once (bounded), caching it so that more than one middleware (bearer token
 * in the body, an echo route, an OAuth 1 signature check over form parameters) can see it.
 */
export async function readRawBody(ctx: Context, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const cached = bodies.get(ctx.req);
  if (cached) return cached;
  // The OAuth 1 signature check reads form bodies first and leaves the text on `ctx.state.rawBody`.
  const fromOAuth1 = (ctx.state as { rawBody?: unknown }).rawBody;
  if (typeof fromOAuth1 === 'string') return Buffer.from(fromOAuth1, 'utf8');
  try {
    const length = ctx.get('content-length');
    const body = await getRawBody(ctx.req, { limit, ...(length ? { length } : {}) });
    bodies.set(ctx.req, body);
    // Shared the other way too: the OAuth 1 signature check reads form parameters from there.
    if (isFormRequest(ctx)) (ctx.state as { rawBody?: string }).rawBody = body.toString('utf8');
    return body;
  } catch (cause) {
    const tooLarge = (cause as { type?: string }).type === 'entity.too.large';
    throw new ProtocolError('invalid_request', tooLarge ? 'The request body is too large.' : 'The request body could not be read.', {
      cause,
      status: tooLarge ? 413 : 400,
    });
  }
}

export function isFormRequest(ctx: Context): boolean {
  return ctx.request.is('application/x-www-form-urlencoded') === 'application/x-www-form-urlencoded';
}

/**
 * The parameters of an `application/x-www-form-urlencoded` POST (RFC 6749 sections 3.2 and 4.1.3).
 * Any other media type is `invalid_request`.
 */
export async function readForm(ctx: Context): Promise<Params> {
  if (!isFormRequest(ctx)) {
    throw new ProtocolError('invalid_request', 'The body must be application/x-www-form-urlencoded.');
  }
  const body = await readRawBody(ctx);
  return Params.parse(body.toString('utf8'));
}

/** The query string's parameters (duplicates and oversized values are `invalid_request`). */
export function readQuery(ctx: Context): Params {
  return Params.parse(ctx.querystring);
}
