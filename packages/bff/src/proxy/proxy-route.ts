import type { Context } from 'koa';
import { checkCsrf } from '../http/csrf.js';
import type { BffRuntime } from '../bff/bff-runtime.js';
import { upstreamFailure } from '../client/upstream.js';
import { ClientGone } from './client-gone.js';
import { forwardedRequestHeaders, returnedResponseHeaders } from './headers.js';
import { ALLOW_HEADER, checkProxiedMethod } from '../http/methods.js';
import { hasRequestBody, readBoundedBody } from './read-body.js';
import type { ApiCall } from '../api/remote-client.js';
import { sendAnswer } from './send-answer.js';

/**
 * `ALL /api/:provider/*`: the hot path. The method and CSRF first, then the path is checked against `apiBaseUrl`, the
 * token comes from one session store read (refreshed under the lock when needed), and the upstream
 * answer goes back without `Set-Cookie` or hop-by-hop headers. A browser that leaves stops the
 * upstream request.
 */
export function proxyRoute(bff: BffRuntime) {
  return async (ctx: Context, provider: string, rawPath: string): Promise<void> => {
    const method = ctx.method;
    try {
      checkProxiedMethod(method);
    } catch (error) {
      ctx.set('allow', ALLOW_HEADER);
      throw error;
    }
    checkCsrf(ctx, bff.allowedOrigins);
    // One lookup: an unknown name is `unknown_provider` from the registry.
    const { client } = bff.registry.runtime(provider);
    const gone = new ClientGone(ctx.res);
    try {
      const call: ApiCall = { method, rawPath, rawQuery: ctx.querystring, headers: forwardedRequestHeaders(ctx.req.headers), signal: gone };
      // Most calls (a GET) have no body: no reader is started for them.
      if (hasRequestBody(ctx.req.headers)) {
        const body = await readBoundedBody(ctx, bff.maxBodyBytes, bff.bodyTimeoutMs);
        if (body !== undefined) call.body = body;
      }
      const upstream = await client.send(call, ctx);
      // Until it is piped or read, an error of the answer (the browser left, the upstream cut it short)
      // would have no listener and end the process.
      upstream.body.on('error', (error) => {
        if (!gone.aborted) bff.logger.debug('upstream answer cut short', { provider, cause: error.name });
      });
      bff.logger.debug('proxied', { provider, method, status: upstream.statusCode });
      try {
        await sendAnswer(ctx, upstream, returnedResponseHeaders(upstream.headers));
      } catch (error) {
        upstream.body.destroy();
        throw upstreamFailure(error);
      }
    } catch (error) {
      // Nobody is left to answer: the abandoned call is not a failure of the BFF.
      if (!gone.aborted) throw error;
      bff.logger.debug('browser left before the answer', { provider, method });
    }
  };
}
