import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { BffError } from '../errors.js';

const tooLarge = (cause?: unknown) =>
  new BffError('body_too_large', 'The request body is too large.', cause === undefined ? undefined : { cause });

/**
 * Reads the request body for the proxy, up to `limit` bytes. It is buffered rather than streamed: an
 * OAuth 1 signature covers form bodies, and a retry after a refresh sends it again.
 */
export async function readBoundedBody(ctx: Context, limit: number): Promise<Buffer | undefined> {
  const headers = ctx.req.headers;
  const declared = headers['content-length'];
  if (declared === undefined && headers['transfer-encoding'] === undefined) return undefined;
  const length = declared === undefined ? undefined : Number(declared);
  if (length !== undefined && length > limit) throw tooLarge();
  try {
    return await getRawBody(ctx.req, { limit, ...(length === undefined || !Number.isFinite(length) ? {} : { length }) });
  } catch (error) {
    if ((error as { type?: unknown }).type === 'entity.too.large') throw tooLarge(error);
    throw new BffError('upstream_error', 'The request body could not be read.', { cause: error });
  }
}
