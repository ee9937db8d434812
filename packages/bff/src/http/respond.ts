import type { Context } from 'koa';
import { isLatchkeyError, type BffErrorBody } from '@latchkey/common';
import { BffError } from '../errors.js';
import type { BffLogger } from '../logger.js';

/** Turns any error into the BFF's typed JSON error; unknown errors become `internal_error` with no detail. */
export function toBffError(error: unknown): BffError {
  if (error instanceof BffError) return error;
  if (isLatchkeyError(error) && error instanceof BffError === false && 'status' in error) {
    return new BffError('internal_error', 'Something went wrong.', { cause: error });
  }
  return new BffError('internal_error', 'Something went wrong.', { cause: error });
}

export function sendError(ctx: Context, error: BffError, logger: BffLogger): void {
  const body: BffErrorBody = { error: { code: error.code, message: error.message } };
  ctx.status = error.status;
  ctx.set('cache-control', 'no-store');
  ctx.body = body;
  const cause = error.cause;
  const fields = {
    code: error.code,
    status: error.status,
    method: ctx.method,
    route: ctx.state.latchkeyRoute as string | undefined,
    // Class and code only: messages of wrapped errors may quote provider responses.
    cause: cause instanceof Error ? cause.name : undefined,
    causeCode: typeof (cause as { code?: unknown } | undefined)?.code === 'string' ? (cause as { code: string }).code : undefined,
  };
  if (error.status >= 500) logger.error('request failed', fields);
  else logger.info('request refused', fields);
}
