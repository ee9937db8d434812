import Router from '@koa/router';
import { ConfigurationError } from '@latchkey/common';
import Koa, { type Middleware } from 'koa';
import { createUserDirectory } from './accounts/user-directory.js';
import type { ClientRecord } from './clients/client-record.js';
import { createClientRegistry, type ClientInput } from './clients/client-registry.js';
import { protocolErrors } from './errors/error-middleware.js';
import { cors } from './http/cors.js';
import { requestTarget } from './http/request-target.js';
import { loadSigningKeys } from './keys/signing-keys.js';
import { mountOAuth1Endpoints } from './oauth1/index.js';
import { authorizeGet, authorizePost } from './oauth2/authorize-endpoint.js';
import { introspectionEndpoint } from './oauth2/introspection-endpoint.js';
import { revocationEndpoint } from './oauth2/revocation-endpoint.js';
import { pushedAuthorizationRequestEndpoint } from './oauth2/pushed-request.js';
import { tokenEndpoint } from './oauth2/token-endpoint.js';
import { ENDPOINT_PATHS, serverMetadata } from './oidc/discovery.js';
import { createBackchannelLogout } from './oidc/backchannel-logout.js';
import { logoutEndpoint } from './oidc/logout.js';
import { userinfoEndpoint } from './oidc/userinfo.js';
import { createDpopServer } from './dpop/dpop-server.js';
import {
  resolveBackchannelLogout,
  resolveDpop,
  resolveFeatures,
  resolveIssuer,
  resolveLifetimes,
  type ProviderOptions,
} from './options.js';
import type { ProviderContext, ProviderEvent, ProviderState } from './provider-context.js';
import { registrationApi } from './registration/registration-api.js';
import { registrationPageGet, registrationPagePost } from './registration/registration-page.js';
import { apiEcho, apiMe, requireEither } from './resource/api-routes.js';
import { requireOAuth2, type RequireOAuth2Options } from './resource/require-oauth2.js';
import type { ProviderRuntime } from './runtime.js';
import { createMemoryKeyValueStore } from './storage/memory-store.js';
import { createLoginSessions } from './session/login-session.js';
import { createTokenService } from './tokens/token-service.js';

export interface Provider {
  /** A Koa app serving every endpoint; `app.callback()` is the request listener. */
  app: Koa<ProviderState>;
  /** The router holding the endpoints, for mounting them in another Koa app. */
  router: Router;
  /** The issuer URL without a trailing slash. */
  issuer: string;
  context: ProviderContext;
  /** Registers a client (validated like the ones in `options.clients`). */
  registerClient(input: ClientInput): Promise<ClientRecord>;
  /**
   * Access-token middleware for your own routes (Bearer, and DPoP-bound tokens with their proofs), using
   * the provider's features for token placement.
   */
  requireOAuth2(options?: RequireOAuth2Options): Middleware;
  /**
   * Starts a new DPoP nonce now (RFC 9449 section 8); the previous one stays accepted until the next
   * rotation. Returns the new nonce. Rotation also happens by itself every `dpop.nonceRotationSeconds`.
   */
  rotateDpopNonce(): string;
}

function createContext(options: ProviderOptions, issuer: string): ProviderContext {
  const now = options.now ?? Date.now;
  const storage = options.storage ?? createMemoryKeyValueStore({ now });
  const onEvent = options.onEvent;
  return Object.freeze({
    issuer,
    storage,
    now: () => now(),
    users: createUserDirectory({
      ...(options.users === undefined ? {} : { users: options.users }),
      dangerouslyAllowAnyUser: options.dangerouslyAllowAnyUser === true,
    }),
    // With the default memory store, clients get a store of their own, so a flood of short-lived
    // entries (login pages, nonces) can never evict a registered client.
    clients: createClientRegistry(options.storage ?? createMemoryKeyValueStore({ now }), () => now()),
    anyUser: options.dangerouslyAllowAnyUser === true,
    emit(event: ProviderEvent) {
      // An observer's failure must not fail the request it observes.
      try {
        onEvent?.(event);
      } catch {
        /* ignored on purpose */
      }
    },
  });
}

/**
 * Creates the authorization server: OAuth 2 (RFC 6749, 7636, 7009, 7662, 8414, 9207), OpenID Connect
 * Core 1.0, and the OAuth 1.0a endpoints. Async because the signing key may be generated.
 */
export async function createProvider(options: ProviderOptions): Promise<Provider> {
  const issuer = resolveIssuer(options?.issuer);
  const lifetimes = resolveLifetimes(options.lifetimes);
  const features = resolveFeatures(options.features);
  const backchannelLogout = resolveBackchannelLogout(options.backchannelLogout);
  const dpop = resolveDpop(options.dpop);
  if (options.adminToken !== undefined && (typeof options.adminToken !== 'string' || options.adminToken.length < 16)) {
    throw new ConfigurationError('adminToken', 'adminToken must be a random string of at least 16 characters.');
  }
  const keys = await loadSigningKeys(options.keys);
  const context = createContext(options, issuer);
  const basePath = new URL(issuer).pathname.replace(/\/+$/, '');
  // Store keys of login sessions are keyed by the signing key: replacing the first key ends them.
  const runtime: ProviderRuntime = Object.freeze({
    context,
    lifetimes,
    features,
    keys,
    tokens: createTokenService(context, lifetimes),
    loginSessions: createLoginSessions({
      storage: context.storage,
      now: context.now,
      issuer,
      basePath,
      idleSeconds: lifetimes.loginSessionIdle,
      absoluteSeconds: lifetimes.loginSessionAbsolute,
      keyMaterial: keys.current.privateKey.export({ format: 'der', type: 'pkcs8' }),
      onEnd: createBackchannelLogout({ context, keys, timeoutMs: backchannelLogout.timeoutMs }),
    }),
    oauth1: { ...(options.oauth1 ?? {}) },
    adminToken: options.adminToken,
    requirePushedAuthorizationRequests: options.requirePushedAuthorizationRequests === true,
    dpop: createDpopServer(context, dpop),
    basePath,
  });
  for (const client of options.clients ?? []) await context.clients.register(client);

  const router = new Router();
  // Every endpoint lives under the issuer's path; RFC 8414 section 3.1 puts its metadata path before it.
  const at = (path: string) => `${basePath}${path}`;
  const realm = issuer;
  const json = protocolErrors('json', realm);
  const resource = protocolErrors('resource', realm);
  const page = protocolErrors('page', realm);
  const authorize = protocolErrors('authorize', realm);
  const api = cors();

  const metadata = (ctx: Koa.Context) => {
    ctx.set('cache-control', 'public, max-age=300');
    ctx.body = serverMetadata(runtime);
  };
  router.get(at(ENDPOINT_PATHS.openidConfiguration), api, metadata);
  router.get(`${ENDPOINT_PATHS.authorizationServerMetadata}${basePath}`, api, metadata);
  router.get(at(ENDPOINT_PATHS.jwks), api, (ctx) => {
    ctx.set('cache-control', 'public, max-age=300');
    ctx.type = 'application/jwk-set+json';
    ctx.body = keys.jwks;
  });

  router.get(at(ENDPOINT_PATHS.authorization), authorize, authorizeGet(runtime));
  router.post(at(ENDPOINT_PATHS.authorization), authorize, authorizePost(runtime));
  router.options(at(ENDPOINT_PATHS.pushedAuthorizationRequest), api);
  router.post(at(ENDPOINT_PATHS.pushedAuthorizationRequest), api, json, pushedAuthorizationRequestEndpoint(runtime));
  router.options(at(ENDPOINT_PATHS.token), api);
  router.post(at(ENDPOINT_PATHS.token), api, json, tokenEndpoint(runtime));
  router.options(at(ENDPOINT_PATHS.revocation), api);
  router.post(at(ENDPOINT_PATHS.revocation), api, json, revocationEndpoint(runtime));
  router.post(at(ENDPOINT_PATHS.introspection), json, introspectionEndpoint(runtime));

  const bearer = (scope?: string) =>
    requireOAuth2(runtime, {
      ...(scope === undefined ? {} : { scope }),
      bearerInQuery: features.bearerInQuery,
      bearerInBody: features.bearerInBody,
    });
  router.options(at(ENDPOINT_PATHS.userinfo), api);
  router.get(at(ENDPOINT_PATHS.userinfo), api, resource, bearer('openid'), userinfoEndpoint);
  router.post(at(ENDPOINT_PATHS.userinfo), api, resource, bearer('openid'), userinfoEndpoint);
  // RP-Initiated Logout 1.0 section 2: GET and POST.
  router.get(at(ENDPOINT_PATHS.endSession), page, logoutEndpoint(runtime));
  router.post(at(ENDPOINT_PATHS.endSession), page, logoutEndpoint(runtime));

  router.options(at(ENDPOINT_PATHS.me), api);
  router.get(at(ENDPOINT_PATHS.me), api, resource, requireEither(runtime), apiMe);
  // Every method, so proxy tests can check what a PUT or DELETE forwarded too.
  router.all(at(ENDPOINT_PATHS.echo), api, resource, requireEither(runtime), apiEcho);

  if (features.clientRegistrationPage) {
    router.get(at(ENDPOINT_PATHS.registrationPage), page, registrationPageGet(runtime));
    router.post(at(ENDPOINT_PATHS.registrationPage), page, registrationPagePost(runtime));
  }
  if (runtime.adminToken !== undefined) {
    router.post(at(ENDPOINT_PATHS.registrationApi), json, registrationApi(runtime));
  }

  // The OAuth 1 endpoints name their paths from the root: a prefixed router puts them under the issuer too.
  const oauth1Router = basePath === '' ? router : new Router({ prefix: basePath });
  mountOAuth1Endpoints(oauth1Router, context, runtime.oauth1);
  if (oauth1Router !== router) router.use(oauth1Router.routes());

  const app = new Koa<ProviderState>();
  app.use(requestTarget(realm));
  app.use(router.routes());
  app.use(router.allowedMethods());

  return {
    app,
    router,
    issuer,
    context,
    registerClient: (input) => context.clients.register(input),
    requireOAuth2: (requireOptions = {}) =>
      requireOAuth2(runtime, {
        bearerInQuery: features.bearerInQuery,
        bearerInBody: features.bearerInBody,
        ...requireOptions,
      }),
    rotateDpopNonce: () => runtime.dpop.rotateNonce(),
  };
}
