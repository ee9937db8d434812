import type { IncomingHttpHeaders } from 'node:http';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { BffError } from '../errors.js';

const tooLarge = (cause?: unknown) =>
  new BffError('body_too_large', 'The request body is too large.', cause === undefined ? undefined : { cause });

/** Whether the request has a body to read: a declared length or a transfer coding (RFC 9112 section 6.3). */
export function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  return headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined;
}

/**
 * Reads the request body for the proxy, up to `limit` bytes and within `timeoutMs`. It is buffered
 * rather than streamed: an OAuth 1 signature covers form bodies, and a retry after a refresh sends it
 * again. A body that stalls (a client that sends part of it and waits) is answered `request_timeout`
 * (RFC 9110 section 15.5.9) with `Connection: close`, so the rest never holds the connection.
 */
export async function readBoundedBody(ctx: Context, limit: number, timeoutMs: number): Promise<Buffer | undefined> {
  const headers = ctx.req.headers;
  if (!hasRequestBody(headers)) return undefined;
  const declared = headers['content-length'];
  const length = declared === undefined ? undefined : Number(declared);
  if (length !== undefined && length > limit) throw tooLarge();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new BffError('request_timeout', 'The request body did not arrive in time.')), timeoutMs);
  });
  try {
    const reading = getRawBody(ctx.req, { limit, ...(length === undefined || !Number.isFinite(length) ? {} : { length }) });
    return await Promise.race([reading, stalled]);
  } catch (error) {
    if (error instanceof BffError) {
      ctx.set('connection', 'close');
      throw error;
    }
    if ((error as { type?: unknown }).type === 'entity.too.large') throw tooLarge(error);
    throw new BffError('upstream_error', 'The request body could not be read.', { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
