/**
 * RFC 5849 section 2.2: resource owner authorization. GET shows the shared login + consent page for
 * a temporary credential; POST signs the user in and records the decision. Problems are shown to
 * the user as pages, never redirected: the callback is only trusted once the credential is.
 */
import type { Context } from 'koa';
import type { ClientRecord } from '../clients/client-record.js';
import type { ProviderContext } from '../provider-context.js';
import { renderAuthorizePage, renderErrorPage } from '../ui/authorize-page.js';
import { PAGE_HEADERS } from '../ui/html.js';
import {
  EXPIRED_GRACE_SECONDS,
  authorizationKey,
  generateSecret,
  temporaryKey,
  type AuthorizationRecord,
  type TemporaryCredentialRecord,
} from './credentials.js';
import { OAuth1ProblemError } from './problem.js';
import { readFormBody } from './read-request.js';
import type { ResolvedOAuth1Options } from './resolve-options.js';
import { renderDeniedPage, renderVerifierPage } from './pages.js';

export const AUTHORIZE_PATH = '/oauth1/authorize';
const SCOPES = [{ name: 'account', description: 'use your account on your behalf until you revoke its access' }];

interface PendingAuthorization {
  token: string;
  temporary: TemporaryCredentialRecord;
  client: ClientRecord;
}

function sendPage(ctx: Context, status: number, body: string): void {
  ctx.status = status;
  ctx.set(PAGE_HEADERS);
  ctx.body = body;
}

function sendError(ctx: Context, status: number, message: string): void {
  sendPage(ctx, status, renderErrorPage('Cannot continue', message));
}

/** The temporary credential named by the user's request, or `undefined` after showing an error page. */
async function findPending(ctx: Context, context: ProviderContext, token: unknown): Promise<PendingAuthorization | undefined> {
  if (typeof token !== 'string' || token === '') {
    sendError(ctx, 400, 'The request has no oauth_token. Go back to the application and start again.');
    return undefined;
  }
  const temporary = await context.storage.get<TemporaryCredentialRecord>(temporaryKey(token));
  const client = temporary && (await context.clients.get(temporary.clientId));
  if (!temporary || !client) {
    sendError(ctx, 400, 'This sign-in link is not valid. Go back to the application and start again.');
    return undefined;
  }
  if (temporary.expiresAt <= context.now()) {
    sendError(ctx, 400, 'This sign-in link has expired. Go back to the application and start again.');
    return undefined;
  }
  if (await context.storage.get<AuthorizationRecord>(authorizationKey(token))) {
    sendError(ctx, 400, 'This sign-in link was already used. Go back to the application.');
    return undefined;
  }
  return { token, temporary, client };
}

function showConsent(ctx: Context, context: ProviderContext, pending: PendingAuthorization, error?: string): void {
  const page = renderAuthorizePage({
    action: `${context.issuer}${AUTHORIZE_PATH}`,
    clientName: pending.client.name,
    scopes: SCOPES,
    hiddenFields: { oauth_token: pending.token },
    anyUser: context.anyUser,
    ...(error === undefined ? {} : { error }),
  });
  sendPage(ctx, 200, page);
}

/** Back to the registered callback (section 2.2); the verifier and tokens must not leak onward. */
function redirectToCallback(ctx: Context, callback: string, params: Record<string, string>): void {
  const target = new URL(callback);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  ctx.set('cache-control', 'no-store');
  ctx.set('referrer-policy', 'no-referrer');
  ctx.status = 303;
  ctx.redirect(target.toString());
}

export function showAuthorizeEndpoint(context: ProviderContext) {
  return async (ctx: Context) => {
    const pending = await findPending(ctx, context, ctx.query.oauth_token);
    if (pending) showConsent(ctx, context, pending);
  };
}

export function decideAuthorizeEndpoint(context: ProviderContext, options: ResolvedOAuth1Options) {
  return async (ctx: Context) => {
    let form: URLSearchParams;
    try {
      form = new URLSearchParams((await readFormBody(ctx, options.maxBodyBytes)) ?? '');
    } catch (error) {
      if (!(error instanceof OAuth1ProblemError)) throw error;
      sendError(ctx, 400, 'The form could not be read.');
      return;
    }
    const pending = await findPending(ctx, context, form.get('oauth_token'));
    if (!pending) return;
    const { token, temporary, client } = pending;
    const decision = form.get('decision');

    if (decision === 'deny') {
      // The flow ends here: the temporary credential is dropped so nothing can be exchanged later.
      await context.storage.take(temporaryKey(token));
      if (temporary.callback === 'oob') return sendPage(ctx, 200, renderDeniedPage(client.name));
      return redirectToCallback(ctx, temporary.callback, { oauth_token: token, denied: token, error: 'access_denied' });
    }
    if (decision !== 'allow') return sendError(ctx, 400, 'Choose Allow or Deny.');

    const user = await context.users.authenticate(form.get('username') ?? '', form.get('password') ?? '');
    if (!user) return showConsent(ctx, context, pending, 'The username or password is not correct.');

    const verifier = generateSecret(options, 'verifier');
    const ttl = Math.max(1, Math.ceil((temporary.expiresAt - context.now()) / 1000)) + EXPIRED_GRACE_SECONDS;
    // `add`: one authorization per temporary credential, even when the form is posted twice.
    const recorded = await context.storage.add<AuthorizationRecord>(authorizationKey(token), { sub: user.sub, verifier }, ttl);
    if (!recorded) return sendError(ctx, 400, 'This sign-in link was already used. Go back to the application.');
    if (temporary.callback === 'oob') return sendPage(ctx, 200, renderVerifierPage(client.name, verifier));
    return redirectToCallback(ctx, temporary.callback, { oauth_token: token, oauth_verifier: verifier });
  };
}
