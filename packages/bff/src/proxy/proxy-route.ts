import type { Context } from 'koa';
import { BffError } from '../errors.js';
import { checkCsrf } from '../http/csrf.js';
import type { BffRuntime } from '../bff/bff-runtime.js';
import { forwardedRequestHeaders, returnedResponseHeaders } from './headers.js';
import { readBoundedBody } from './read-body.js';

/**
 * `ALL /api/:provider/*`: the hot path. CSRF first, then the path is checked against `apiBaseUrl`, the
 * token comes from one session store read (refreshed under the lock when needed), and the upstream
 * answer is streamed back without `Set-Cookie` or hop-by-hop headers.
 */
export function proxyRoute(bff: BffRuntime) {
  return async (ctx: Context, provider: string, rawPath: string): Promise<void> => {
    checkCsrf(ctx, bff.allowedOrigins);
    if (!bff.registry.has(provider)) throw new BffError('unknown_provider', 'No such provider.');
    const { client } = bff.registry.runtime(provider);
    const body = await readBoundedBody(ctx, bff.maxBodyBytes);
    const upstream = await client.send(
      {
        method: ctx.method,
        rawPath,
        rawQuery: ctx.querystring,
        headers: forwardedRequestHeaders(ctx.headers),
        ...(body === undefined ? {} : { body }),
      },
      ctx,
    );
    bff.logger.debug('proxied', { provider, method: ctx.method, status: upstream.statusCode });
    ctx.status = upstream.statusCode;
    for (const [name, value] of Object.entries(returnedResponseHeaders(upstream.headers))) ctx.set(name, value);
    ctx.body = upstream.body;
  };
}
