import type { Context, Middleware } from 'koa';
import { responseRedirect, setAuthorizeErrorTarget } from '../errors/error-middleware.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { isFormRequest, readRawBody } from '../http/body.js';
import { Params } from '../http/params.js';
import type { ProviderRuntime } from '../runtime.js';
import { hasConsent, type LoginSession } from '../session/login-session.js';
import { renderAuthorizePage } from '../ui/authorize-page.js';
import { PAGE_HEADERS } from '../ui/html.js';
import {
  findTransaction,
  saveTransaction,
  takeTransaction,
  validateAuthorizationRequest,
  type AuthenticationRequirements,
  type AuthorizationTransaction,
} from './authorize-request.js';
import { resolvePushedRequest } from './pushed-request.js';
import { describeScope, formatScope } from './scope.js';

/** The hidden field naming the server-side authorization transaction; only the page's own form sends it. */
const TRANSACTION_FIELD = 'transaction';

async function showPage(ctx: Context, runtime: ProviderRuntime, transaction: AuthorizationTransaction, error?: string): Promise<void> {
  const client = await runtime.context.clients.get(transaction.clientId);
  // A signed-in user only confirms; the password fields are left out.
  const user = transaction.session === undefined ? null : await runtime.context.users.findBySub(transaction.session.sub);
  ctx.status = 200;
  ctx.set(PAGE_HEADERS);
  ctx.body = renderAuthorizePage({
    action: `${runtime.basePath}/oauth/authorize`,
    clientName: client?.name ?? transaction.clientId,
    scopes: transaction.scopes.map((name) => ({ name, description: describeScope(name) })),
    hiddenFields: { [TRANSACTION_FIELD]: transaction.id },
    anyUser: runtime.context.anyUser,
    ...(user ? { signedInAs: user.name ?? user.username } : {}),
    ...(error === undefined ? {} : { error }),
  });
}

/** Whether the session's sign-in satisfies `prompt=login` and `max_age` (OpenID Connect Core section 3.1.2.1). */
function satisfies(runtime: ProviderRuntime, session: LoginSession, requirements: AuthenticationRequirements): boolean {
  if (requirements.login) return false;
  if (requirements.maxAge === undefined) return true;
  return Math.floor(runtime.context.now() / 1000) - session.record.authTime <= requirements.maxAge;
}

/**
 * A validated request, from the query of a GET or the form of a POST. A signed-in user whose sign-in
 * satisfies the request sees the consent page without the password; `prompt=none` is answered at once
 * (OpenID Connect Core section 3.1.2.6).
 */
async function beginAuthorization(ctx: Context, runtime: ProviderRuntime, text: string): Promise<void> {
  const { transaction, requirements } = await validateAuthorizationRequest(ctx, runtime, await resolvePushedRequest(runtime, text));
  const found = await runtime.loginSessions.read(ctx);
  const session = found && satisfies(runtime, found, requirements) ? found : undefined;
  const user = session && (await runtime.context.users.findBySub(session.record.sub));
  if (requirements.none) {
    if (!session || !user) throw new ProtocolError('login_required', 'The user must sign in.');
    if (!hasConsent(session, transaction.clientId, transaction.scopes)) {
      throw new ProtocolError('consent_required', 'The user has not allowed this application these scopes.');
    }
    await runtime.loginSessions.touch(session, { clientId: transaction.clientId, scopes: transaction.scopes });
    respond(ctx, transaction, await issue(runtime, transaction, session));
    return;
  }
  if (session && user) transaction.session = { handle: session.handle, sub: user.sub };
  await saveTransaction(runtime, transaction);
  await showPage(ctx, runtime, transaction);
}

/** GET /oauth/authorize: validate the request, keep it server-side, show the login + consent page. */
export function authorizeGet(runtime: ProviderRuntime): Middleware {
  return (ctx) => beginAuthorization(ctx, runtime, ctx.querystring);
}

function redirectTo(ctx: Context, url: string): void {
  ctx.set('cache-control', 'no-store');
  ctx.status = 302;
  ctx.redirect(url);
}

/** Issues the code (or, for the implicit grant, the access token) and returns the response parameters. */
async function issue(
  runtime: ProviderRuntime,
  transaction: AuthorizationTransaction,
  session: LoginSession,
): Promise<Record<string, string>> {
  const { context, tokens } = runtime;
  const { sub, authTime, sid } = session.record;
  const response: Record<string, string> = {};
  if (transaction.responseType === 'code') {
    response.code = await tokens.issueCode({
      clientId: transaction.clientId,
      redirectUri: transaction.redirectUri,
      redirectUriSent: transaction.redirectUriSent,
      scopes: transaction.scopes,
      sub,
      authTime,
      sid,
      grantId: tokens.newGrantId(),
      ...(transaction.nonce === undefined ? {} : { nonce: transaction.nonce }),
      ...(transaction.dpopJkt === undefined ? {} : { dpopJkt: transaction.dpopJkt }),
      ...(transaction.codeChallenge === undefined
        ? {}
        : { codeChallenge: transaction.codeChallenge, codeChallengeMethod: transaction.codeChallengeMethod ?? 'S256' }),
    });
  } else {
    // RFC 6749 section 4.2.2: the implicit grant returns an access token in the fragment, never a refresh token.
    const issued = await tokens.issueTokens({
      clientId: transaction.clientId,
      sub,
      scopes: transaction.scopes,
      grantId: tokens.newGrantId(),
    });
    Object.assign(response, {
      access_token: issued.accessToken,
      token_type: 'Bearer',
      expires_in: String(issued.expiresIn),
      scope: formatScope(transaction.scopes),
    });
    context.emit({ type: 'token_issued', grantType: 'implicit', clientId: transaction.clientId, sub });
  }
  if (transaction.state !== undefined) response.state = transaction.state;
  // RFC 9207: the issuer identifies who answered, against mix-up attacks.
  response.iss = context.issuer;
  return response;
}

function respond(ctx: Context, transaction: AuthorizationTransaction, response: Record<string, string>): void {
  const responseMode = transaction.responseType === 'token' ? 'fragment' : 'query';
  redirectTo(ctx, responseRedirect({ redirectUri: transaction.redirectUri, responseMode }, response));
}

/**
 * The page's answer. A form naming no transaction is an authorization request sent by POST instead.
 * Only the page itself may answer: a cross-site post (Fetch Metadata) could otherwise sign a victim's
 * browser in as someone else.
 */
async function answerPage(ctx: Context, runtime: ProviderRuntime, params: Params): Promise<void> {
  const { context, loginSessions } = runtime;
  const site = ctx.get('sec-fetch-site');
  if (site !== '' && site !== 'same-origin') {
    throw new ProtocolError('access_denied', "The sign-in form can only be sent from this provider's own page.");
  }
  const pending = await findTransaction(runtime, params.get(TRANSACTION_FIELD) ?? '');
  if (!pending) {
    throw new ProtocolError(
      'invalid_request',
      'This sign-in request has expired or was already completed. Start again from the application.',
    );
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

  let session: LoginSession;
  const username = params.get('username');
  if (username === undefined && pending.session !== undefined) {
    // Consent by a signed-in user: the same login session that was shown the page, still live.
    const current = await loginSessions.read(ctx);
    const user = current && (await context.users.findBySub(current.record.sub));
    if (!current || !user || current.handle !== pending.session.handle || current.record.sub !== pending.session.sub) {
      const { session: _ended, ...withPassword } = pending;
      await saveTransaction(runtime, withPassword);
      await showPage(ctx, runtime, withPassword, 'Your sign-in has ended. Sign in again.');
      return;
    }
    if (!(await takeTransaction(runtime, pending.id)))
      throw new ProtocolError('invalid_request', 'This sign-in request was already completed.');
    session = current;
  } else {
    const user = await context.users.authenticate(username ?? '', params.get('password') ?? '');
    if (!user) {
      // The transaction stays usable: the user may try again.
      await showPage(ctx, runtime, pending, 'The username or password is incorrect.');
      return;
    }
    if (!(await takeTransaction(runtime, pending.id)))
      throw new ProtocolError('invalid_request', 'This sign-in request was already completed.');
    session = await loginSessions.start(ctx, user.sub, Math.floor(context.now() / 1000));
  }
  await loginSessions.touch(session, { clientId: pending.clientId, scopes: pending.scopes });
  respond(ctx, pending, await issue(runtime, pending, session));
}

/**
 * POST /oauth/authorize: the page's answer (its form names a transaction), or an authorization request
 * sent as a form (OpenID Connect Core section 3.1.2.1), which is handled exactly as the GET.
 */
export function authorizePost(runtime: ProviderRuntime): Middleware {
  return async (ctx) => {
    let text: string;
    try {
      if (!isFormRequest(ctx)) throw new ProtocolError('invalid_request', 'The body must be application/x-www-form-urlencoded.');
      text = (await readRawBody(ctx)).toString('utf8');
    } catch (cause) {
      throw new ProtocolError('invalid_request', 'The form could not be read.', { cause });
    }
    if (new URLSearchParams(text).has(TRANSACTION_FIELD)) {
      await answerPage(ctx, runtime, Params.parse(text));
      return;
    }
    await beginAuthorization(ctx, runtime, text);
  };
}
