import type { Middleware } from 'koa';

/**
 * CORS for the endpoints a single-page app calls directly (discovery, JWKS, token, revocation,
 * userinfo, APIs). They never rely on cookies, so any origin may call them without credentials;
 * the login page and the registration pages get no CORS at all.
 */
export function cors(): Middleware {
  return async (ctx, next) => {
    if (ctx.get('origin') === '') return next();
    ctx.set('access-control-allow-origin', '*');
    // A browser client reads DPoP challenges and nonces (RFC 9449 sections 7.1 and 8) from these.
    ctx.set('access-control-expose-headers', 'www-authenticate, dpop-nonce');
    if (ctx.method === 'OPTIONS') {
      const requested = ctx.get('access-control-request-headers');
      ctx.set('access-control-allow-methods', 'GET, POST');
      ctx.set(
        'access-control-allow-headers',
        /^[A-Za-z0-9\-, ]{0,512}$/.test(requested) && requested !== '' ? requested : 'authorization, content-type, dpop',
      );
      ctx.set('access-control-max-age', '600');
      ctx.status = 204;
      return;
    }
    await next();
  };
}
