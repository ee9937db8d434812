import {
  AuthorizationResponseError,
  None,
  authorizationCodeGrantRequest,
  expectNoNonce,
  processAuthorizationCodeResponse,
  validateAuthResponse,
} from 'oauth4webapi';
import type { ClientContext } from '../context.js';
import { AuthError } from '../errors/auth-error.js';
import { authorizationError } from '../oauth/errors.js';
import { providerRequest } from './provider-request.js';
import { cleanAddressBar } from '../page/address-bar.js';
import { tellTabs } from '../page/tabs.js';
import { sessionFromTokens, type User } from '../session/session.js';

export interface CallbackResult {
  /** The same-origin path given to `login()`. */
  returnTo: string;
  /** The ID token claims, or `null` without OpenID Connect. */
  user: User | null;
}

// Callbacks in progress in this page, by client and state. Filled synchronously, before any await, so
// a second call for the same URL (React StrictMode runs effects twice) shares the first one's result
// instead of exchanging the code again. Across reloads and tabs, the stored transaction is claimed
// under the lock and replaced by a "used" marker. A callback without state shares its refusal the same way.
const inProgress = new Map<string, Promise<CallbackResult>>();

export function handleCallback(ctx: ClientContext, callbackUrl: string | URL): Promise<CallbackResult> {
  const url = new URL(callbackUrl, location.href);
  const state = url.searchParams.get('state');
  const key = `${ctx.options.namespace} ${state ?? ''}`;
  let result = inProgress.get(key);
  if (!result) {
    result = complete(ctx, state, url).finally(() => {
      inProgress.delete(key);
      cleanAddressBar(url);
    });
    inProgress.set(key, result);
  }
  return result;
}

async function complete(ctx: ClientContext, state: string | null, url: URL): Promise<CallbackResult> {
  if (!state) {
    // Without a state nothing can be claimed; the provider's error, if any, still says what went wrong.
    const error = url.searchParams.get('error') ?? undefined;
    const description = url.searchParams.get('error_description') ?? undefined;
    throw new AuthError('state_missing', { oauthError: error, oauthErrorDescription: description });
  }
  const transaction = await ctx.transactions.claim(state);
  const server = await ctx.server();
  let params: URLSearchParams;
  try {
    // Checks `iss` against the issuer when present, or when the metadata promises it (RFC 9207 2.4),
    // then surfaces an `error` response. The state was matched by the claim above.
    params = validateAuthResponse(server, ctx.client, url.searchParams, state);
  } catch (cause) {
    throw cause instanceof AuthorizationResponseError ? authorizationError(cause) : new AuthError('issuer_mismatch', { cause });
  }
  const tokens = await providerRequest(ctx, transaction.dpop, 'token_exchange_failed', async (http) => {
    const response = await authorizationCodeGrantRequest(
      server,
      ctx.client,
      None(),
      params,
      ctx.options.redirectUri,
      transaction.codeVerifier,
      http,
    );
    // Validates the ID token's claims, including `nonce` (OIDC Core 3.1.3.7); it came straight from the
    // token endpoint over TLS, which OIDC Core accepts in place of a signature check.
    return processAuthorizationCodeResponse(server, ctx.client, response, {
      expectedNonce: transaction.nonce ?? expectNoNonce,
      requireIdToken: transaction.nonce !== undefined,
    });
  });
  const session = sessionFromTokens(tokens, ctx.options.clock(), { dpop: transaction.dpop });
  await ctx.session.write(session);
  ctx.events.emit('login', { user: session.user });
  ctx.events.emit('tokens', { expiresAtMs: session.expiresAt, scope: session.scope ?? null });
  tellTabs(ctx.options.namespace, { type: 'login' });
  return { returnTo: transaction.returnTo, user: session.user };
}
