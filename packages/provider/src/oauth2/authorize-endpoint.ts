import type { Context, Middleware } from 'koa';
import { responseRedirect, setAuthorizeErrorTarget } from '../errors/error-middleware.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { readForm } from '../http/body.js';
import { Params } from '../http/params.js';
import type { ProviderRuntime } from '../runtime.js';
import { renderAuthorizePage } from '../ui/authorize-page.js';
import { PAGE_HEADERS } from '../ui/html.js';
import {
  findTransaction,
  saveTransaction,
  takeTransaction,
  validateAuthorizationRequest,
  type AuthorizationTransaction,
} from './authorize-request.js';
import { describeScope, formatScope } from './scope.js';

/** The hidden field naming the server-side authorization transaction. */
export const TRANSACTION_FIELD = 'transaction';

async function showPage(ctx: Context, runtime: ProviderRuntime, transaction: AuthorizationTransaction, error?: string): Promise<void> {
  const client = await runtime.context.clients.get(transaction.clientId);
  ctx.status = 200;
  ctx.set(PAGE_HEADERS);
  ctx.body = renderAuthorizePage({
    action: `${runtime.basePath}/oauth/authorize`,
    clientName: client?.name ?? transaction.clientId,
    scopes: transaction.scopes.map((name) => ({ name, description: describeScope(name) })),
    hiddenFields: { [TRANSACTION_FIELD]: transaction.id },
    anyUser: runtime.context.anyUser,
    ...(error === undefined ? {} : { error }),
  });
}

/** GET /oauth/authorize: validate the request, keep it server-side, show the login + consent page. */
export function authorizeGet(runtime: ProviderRuntime): Middleware {
  return async (ctx) => {
    const transaction = await validateAuthorizationRequest(ctx, runtime);
    await saveTransaction(runtime, transaction);
    await showPage(ctx, runtime, transaction);
  };
}

function redirectTo(ctx: Context, url: string): void {
  ctx.set('cache-control', 'no-store');
  ctx.status = 302;
  ctx.redirect(url);
}

/** POST /oauth/authorize: the user's answer. Deny redirects with `access_denied`; allow issues the response. */
export function authorizePost(runtime: ProviderRuntime): Middleware {
  const { context, tokens } = runtime;
  return async (ctx) => {
    let params: Params;
    try {
      params = await readForm(ctx);
    } catch (cause) {
      throw new ProtocolError('invalid_request', 'The form could not be read.', { cause });
    }
    const pending = await findTransaction(runtime, params.get(TRANSACTION_FIELD) ?? '');
    if (!pending) {
      throw new ProtocolError('invalid_request', 'This sign-in request has expired or was already completed. Start again from the application.');
    }
    const responseMode = pending.responseType === 'token' ? 'fragment' : 'query';
    setAuthorizeErrorTarget(ctx, { redirectUri: pending.redirectUri, state: pending.state, issuer: context.issuer, responseMode });

    const decision = params.get('decision');
    if (decision !== 'allow' && decision !== 'deny') {
      throw new ProtocolError('invalid_request', 'decision must be allow or deny.');
    }
    if (decision === 'deny') {
      await takeTransaction(runtime, pending.id);
      throw new ProtocolError('access_denied', 'The user denied the request.');
    }
    const user = await context.users.authenticate(params.get('username') ?? '', params.get('password') ?? '');
    if (!user) {
      // The transaction stays usable: the user may try again.
      await showPage(ctx, runtime, pending, 'The username or password is incorrect.');
      return;
    }
    const transaction = await takeTransaction(runtime, pending.id);
    if (!transaction) throw new ProtocolError('invalid_request', 'This sign-in request was already completed.');

    const authTime = Math.floor(context.now() / 1000);
    const response: Record<string, string> = {};
    if (transaction.responseType === 'code') {
      const code = await tokens.issueCode({
        clientId: transaction.clientId,
        redirectUri: transaction.redirectUri,
        redirectUriSent: transaction.redirectUriSent,
        scopes: transaction.scopes,
        sub: user.sub,
        authTime,
        grantId: tokens.newGrantId(),
        ...(transaction.nonce === undefined ? {} : { nonce: transaction.nonce }),
        ...(transaction.codeChallenge === undefined
          ? {}
          : { codeChallenge: transaction.codeChallenge, codeChallengeMethod: transaction.codeChallengeMethod ?? 'S256' }),
      });
      response.code = code;
    } else {
      // RFC 6749 section 4.2.2: the implicit grant returns an access token in the fragment, never a refresh token.
      const grantId = tokens.newGrantId();
      const issued = await tokens.issueTokens({ clientId: transaction.clientId, sub: user.sub, scopes: transaction.scopes, grantId });
      Object.assign(response, {
        access_token: issued.accessToken,
        token_type: 'Bearer',
        expires_in: String(issued.expiresIn),
        scope: formatScope(transaction.scopes),
      });
      context.emit({ type: 'token_issued', grantType: 'implicit', clientId: transaction.clientId, sub: user.sub });
    }
    if (transaction.state !== undefined) response.state = transaction.state;
    // RFC 9207: the issuer identifies who answered, against mix-up attacks.
    response.iss = context.issuer;
    redirectTo(ctx, responseRedirect({ redirectUri: transaction.redirectUri, responseMode }, response));
  };
}
