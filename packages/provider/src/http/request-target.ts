import type { Middleware } from 'koa';
import { ProtocolError } from '../errors/protocol-error.js';
import { protocolErrors } from '../errors/error-middleware.js';

/**
 * Refuses a request target the URL parser cannot read (an absolute-form target with a broken
 * authority such as `http://[::1/x`, RFC 9112 section 3.2), which would otherwise fail while routing
 * and be answered 500. Runs before the router, so every endpoint answers it with a typed 400.
 */
export function requestTarget(realm: string): Middleware {
  const json = protocolErrors('json', realm);
  return (ctx, next) => {
    try {
      void ctx.path;
    } catch (cause) {
      return json(ctx, () => {
        throw new ProtocolError('invalid_request', 'The request target is not a valid URL.', { cause });
      });
    }
    return next();
  };
}
