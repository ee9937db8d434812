import type { Context } from 'koa';
import { BffError } from '../errors.js';
import { loginFailureFields } from '../http/failure-cause.js';
import { checkReturnTo } from '../http/return-to.js';
import type { RegisteredProvider } from '../registry/registry.js';
import { refusalKey, type LoginTransaction } from '../session/login-transaction.js';
import type { BffRuntime } from '../bff/bff-runtime.js';
import { withLoginError } from './callback.js';

/**
 * `GET /login/:provider?returnTo=`: starts a login and redirects to the provider. The transaction is
 * keyed by `state` (OAuth 2) or the temporary `oauth_token` (OAuth 1), so logins in two tabs both
 * complete, and is bound to this browser by its login-binding cookie, which outlives the session id
 * changing when another of its logins completes. Nothing is written to the session store.
 */
export function loginRoute(bff: BffRuntime) {
  return async (ctx: Context, provider: string): Promise<void> => {
    const runtime = bff.registry.runtime(provider);
    const returnTo = checkReturnTo(typeof ctx.query.returnTo === 'string' ? ctx.query.returnTo : undefined);
    const binding = bff.sessions.bindLogin(ctx);
    const redirectUri = bff.callbackUri(ctx, provider);
    const base = { provider, returnTo, redirectUri, binding };
    ctx.set('cache-control', 'no-store');
    let location: URL;
    try {
      location = await start(ctx, runtime, base);
    } catch (error) {
      // A provider that cannot start a login (down, refusing the client) sends the user back to the SPA.
      const failure = error instanceof BffError ? error : new BffError('login_failed', 'The login could not start.', { cause: error });
      bff.logger.warn('login failed', { ...loginFailureFields(failure), provider });
      ctx.redirect(withLoginError(returnTo, failure.code, provider));
      return;
    }
    bff.logger.info('login started', { provider, protocol: runtime.config.protocol });
    ctx.redirect(location.href);
  };

  async function start(
    ctx: Context,
    runtime: RegisteredProvider,
    base: Omit<LoginTransaction, 'codeVerifier' | 'nonce' | 'dpopKey' | 'oauthTokenSecret'>,
  ): Promise<URL> {
    const provider = base.provider;
    const redirectUri = base.redirectUri;
    let location: URL;
    if (runtime.protocol === 'oauth2') {
      const { url, secrets } = await runtime.oauth2.authorizationUrl(redirectUri);
      const transaction: LoginTransaction = {
        ...base,
        ...(secrets.codeVerifier === undefined ? {} : { codeVerifier: secrets.codeVerifier }),
        ...(secrets.nonce === undefined ? {} : { nonce: secrets.nonce }),
        ...(secrets.dpopKey === undefined ? {} : { dpopKey: secrets.dpopKey }),
      };
      await bff.transactions.save(secrets.state, transaction);
      location = url;
    } else {
      const { oauth1 } = runtime;
      const requestToken = await oauth1.requestToken(redirectUri);
      const saveRequestToken = runtime.config.saveRequestToken;
      if (saveRequestToken !== undefined) {
        await saveRequestToken(provider, requestToken, ctx);
        await bff.transactions.save(requestToken.oauthToken, base);
      } else {
        await bff.transactions.save(requestToken.oauthToken, { ...base, oauthTokenSecret: requestToken.oauthTokenSecret });
      }
      await bff.transactions.save(refusalKey(base.binding), base);
      location = oauth1.authorizationUrl(requestToken.oauthToken);
    }
    return location;
  }
}
