// Placeholder so the provider compiles while the OAuth 1.0a server is written; replaced by it.
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ProviderContext } from '../provider-context.js';
import type { OAuth1ServerOptions } from './options.js';

export type { OAuth1ServerOptions } from './options.js';

/** Mounts `/oauth1/initiate`, `/oauth1/authorize` and `/oauth1/token` on the provider's router. */
export function mountOAuth1Endpoints(_router: Router, _context: ProviderContext, _options: OAuth1ServerOptions = {}): void {}

/** Protects a resource with OAuth 1.0a signed requests, setting `ctx.state.latchkey`. */
export function requireOAuth1(_context: ProviderContext, _options: OAuth1ServerOptions = {}): Middleware {
  return (ctx) => {
    ctx.throw(501, 'OAuth 1.0a is not available yet');
  };
}
