/**
 * The provider's OAuth 1.0a server (RFC 5849): temporary credentials, resource owner
 * authorization, token credentials, and signed access to protected resources.
 */
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ProviderContext } from '../provider-context.js';
import { AUTHORIZE_PATH, decideAuthorizeEndpoint, showAuthorizeEndpoint } from './authorize-endpoint.js';
import { initiateEndpoint } from './initiate-endpoint.js';
import type { OAuth1ServerOptions } from './options.js';
import { oauth1ResourceMiddleware } from './require-oauth1.js';
import { resolveOAuth1Options } from './resolve-options.js';
import { tokenEndpoint } from './token-endpoint.js';

export type { OAuth1SecretKind, OAuth1ServerOptions } from './options.js';
export { OAUTH1_PROBLEMS, OAuth1ProblemError, isOAuth1Problem } from './problem.js';
export type { OAuth1Problem } from './problem.js';
export type { OAuth1ResourceState } from './require-oauth1.js';
export { revokeOAuth1Token } from './revoke.js';
export { isOAuth1Request } from './detect.js';

const OAUTH1_PATHS = {
  initiate: '/oauth1/initiate',
  authorize: AUTHORIZE_PATH,
  token: '/oauth1/token',
} as const;

/** Mounts `/oauth1/initiate`, `/oauth1/authorize` and `/oauth1/token` on the provider's router. */
export function mountOAuth1Endpoints(router: Router, context: ProviderContext, options: OAuth1ServerOptions = {}): void {
  const resolved = resolveOAuth1Options(options);
  router.post(OAUTH1_PATHS.initiate, initiateEndpoint(context, resolved));
  router.get(OAUTH1_PATHS.authorize, showAuthorizeEndpoint(context));
  router.post(OAUTH1_PATHS.authorize, decideAuthorizeEndpoint(context, resolved));
  router.post(OAUTH1_PATHS.token, tokenEndpoint(context, resolved));
}

/** Protects a resource with OAuth 1.0a signed requests, setting `ctx.state.latchkey`. */
export function requireOAuth1(context: ProviderContext, options: OAuth1ServerOptions = {}): Middleware {
  return oauth1ResourceMiddleware(context, resolveOAuth1Options(options));
}
