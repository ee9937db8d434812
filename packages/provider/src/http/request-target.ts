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
  const refuse: Middleware = (ctx) =>
    json(ctx, () => {
      throw new ProtocolError('invalid_request', 'The request target is not a valid URL.');
    });
  return (ctx, next) => {
    // An absolute-form target is checked with the WHATWG parser first: Koa's path reads it with the legacy
    // `url.parse`, which warns (DEP0170) about such a target before failing.
    const target = ctx.req.url ?? '';
    if (!target.startsWith('/') && !URL.canParse(target)) return refuse(ctx, next);
    try {
      void ctx.path;
    } catch {
      return refuse(ctx, next);
    }
    return next();
  };
}
