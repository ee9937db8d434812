import type { Context } from 'koa';
import { BFF_ERROR_HEADER, type BffErrorBody } from '@latchkey/common';
import { BffError } from '../errors.js';
import type { BffLogger, LogFields } from '../logger.js';

/** Turns any error into the BFF's typed error; anything unexpected becomes `internal_error` with no detail. */
export function toBffError(error: unknown): BffError {
  if (error instanceof BffError) return error;
  return new BffError('internal_error', 'Something went wrong.', { cause: error });
}

/** Log fields of an error: codes and class names only, since messages of wrapped errors may quote provider answers. */
export function errorFields(error: BffError): LogFields {
  const cause = error.cause;
  const causeCode = (cause as { code?: unknown } | undefined)?.code;
  return {
    code: error.code,
    status: error.status,
    cause: cause instanceof Error ? cause.name : undefined,
    causeCode: typeof causeCode === 'string' ? causeCode : undefined,
  };
}

/** The typed JSON error every BFF route answers with, marked with the BFF error header. */
export function sendError(ctx: Context, error: BffError, logger: BffLogger, route: string): void {
  const body: BffErrorBody = { error: { code: error.code, message: error.message } };
  ctx.status = error.status;
  ctx.set('cache-control', 'no-store');
  ctx.set(BFF_ERROR_HEADER, error.code);
  ctx.body = body;
  const fields = { ...errorFields(error), method: ctx.method, route };
  if (error.status >= 500) logger.error('request failed', fields);
  else logger.info('request refused', fields);
}

export function sendJson(ctx: Context, body: unknown): void {
  ctx.status = 200;
  ctx.set('cache-control', 'no-store');
  ctx.body = body;
}
