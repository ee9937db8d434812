import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { BffLogoutRequest } from '@latchkey/common';
import { BffError } from '../errors.js';
import { errorFields, toBffError } from '../http/respond.js';
import { checkReturnTo } from '../http/return-to.js';
import { readBoundedBody } from '../proxy/read-body.js';
import type { SessionConnection } from '../tokens/session-data.js';
import type { BffRuntime } from '../bff/bff-runtime.js';
import { withLoginError } from './callback.js';

/** A logout body is a few short fields: anything larger is not one. */
const MAX_LOGOUT_BODY_BYTES = 4096;

/** Logout transactions share the login transaction store under their own prefix: a login `state` never ends a logout. */
const logoutKey = (state: string) => `logout:${state}`;

/** What `POST /logout` was asked: `undefined` when it is a plain logout (no body, or no `endSession`). */
export interface EndSessionRequest {
  returnTo: string;
  provider: string | undefined;
}

const optionalString = (value: unknown): value is string | undefined => value === undefined || typeof value === 'string';

/** Reads the optional JSON body of `POST /logout` (`BffLogoutRequest`); checks `returnTo` before anything ends. */
export async function readLogoutRequest(bff: BffRuntime, ctx: Context): Promise<EndSessionRequest | undefined> {
  const raw = await readBoundedBody(ctx, MAX_LOGOUT_BODY_BYTES, bff.bodyTimeoutMs);
  if (raw === undefined || raw.length === 0) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (cause) {
    throw new BffError('unsupported_request', 'The logout body must be JSON.', { cause });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BffError('unsupported_request', 'The logout body must be a JSON object.');
  }
  const { endSession, returnTo, provider } = body as Record<keyof BffLogoutRequest, unknown>;
  if (!(endSession === undefined || typeof endSession === 'boolean') || !optionalString(returnTo) || !optionalString(provider)) {
    throw new BffError('unsupported_request', 'endSession must be a boolean, returnTo and provider strings.');
  }
  if (endSession !== true) return undefined;
  if (provider !== undefined && !bff.registry.has(provider)) throw new BffError('unknown_provider', 'No such provider.');
  return { returnTo: checkReturnTo(returnTo), provider };
}

interface EndSessionTarget {
  provider: string;
  endpoint: string;
  clientId: string;
  idToken: string | undefined;
}

/**
 * The linked provider whose session to end: the one asked for, else the first that publishes an
 * `end_session_endpoint` (RP-Initiated Logout section 2.1). A provider whose metadata cannot be read
 * is passed over: the BFF session is already gone, and the answer is then a plain logout.
 */
async function findTarget(
  bff: BffRuntime,
  connections: [string, SessionConnection][],
  wanted: string | undefined,
): Promise<EndSessionTarget | undefined> {
  for (const [provider, connection] of connections) {
    if (wanted !== undefined && provider !== wanted) continue;
    const { token } = connection;
    if (token.kind !== 'oauth2' || !bff.registry.has(provider)) continue;
    const runtime = bff.registry.runtime(provider);
    if (runtime.oauth2 === undefined) continue;
    try {
      const endpoint = (await runtime.oauth2.metadata.get()).end_session_endpoint;
      if (typeof endpoint === 'string') return { provider, endpoint, clientId: runtime.config.clientId, idToken: token.idToken };
    } catch (error) {
      bff.logger.warn('end session skipped', { ...errorFields(toBffError(error)), provider });
    }
  }
  return undefined;
}

/**
 * After the BFF session is destroyed: remembers `returnTo` under a fresh `state`, bound to this browser by
 * a new login-binding cookie, and returns the provider's end-session URL (RP-Initiated Logout section 2:
 * `id_token_hint`, `post_logout_redirect_uri`, `state`, `client_id`); `undefined` when no linked provider offers one.
 */
export async function endSessionUrl(
  bff: BffRuntime,
  ctx: Context,
  connections: [string, SessionConnection][],
  request: EndSessionRequest,
): Promise<string | undefined> {
  const target = await findTarget(bff, connections, request.provider);
  if (target === undefined) return undefined;
  const state = randomBytes(32).toString('base64url');
  const redirectUri = bff.loggedOutUri(ctx, target.provider);
  const binding = bff.sessions.bindLogin(ctx, true);
  await bff.transactions.save(logoutKey(state), { provider: target.provider, returnTo: request.returnTo, redirectUri, binding });
  const url = new URL(target.endpoint);
  if (target.idToken !== undefined) url.searchParams.set('id_token_hint', target.idToken);
  url.searchParams.set('post_logout_redirect_uri', redirectUri);
  url.searchParams.set('state', state);
  url.searchParams.set('client_id', target.clientId);
  return url.href;
}

/**
 * `GET /logged-out/:provider?state=`: where the provider sends the browser after ending its session.
 * The `state` is single use and bound to the browser that logged out; a missing, replayed or foreign
 * one goes to `/` with its error code, as a failed login does.
 */
export function loggedOutRoute(bff: BffRuntime) {
  return async (ctx: Context, provider: string): Promise<void> => {
    ctx.set('cache-control', 'no-store');
    try {
      if (!bff.registry.has(provider)) throw new BffError('unknown_provider', 'No such provider.');
      const state = typeof ctx.query.state === 'string' && ctx.query.state !== '' ? ctx.query.state : undefined;
      if (state === undefined) throw new BffError('state_missing', 'The logout return carries no state.');
      const transaction = await bff.transactions.take(provider, logoutKey(state));
      if (transaction === undefined) throw new BffError('state_mismatch', 'This logout is unknown, expired or already used.');
      if (!bff.sessions.isBoundHere(ctx, transaction.binding)) {
        throw new BffError('state_mismatch', 'This logout was started in another browser.');
      }
      bff.logger.info('provider session ended', { provider });
      ctx.redirect(transaction.returnTo);
    } catch (error) {
      const failure = toBffError(error);
      bff.logger.warn('logout return refused', { ...errorFields(failure), provider });
      ctx.redirect(withLoginError('/', failure.code, provider));
    }
  };
}
