import type { Context } from 'koa';
import type { IDToken } from 'oauth4webapi';
import { LOGIN_ERROR_PARAM, LOGIN_ERROR_PROVIDER_PARAM, withQueryParams, type BffUser } from '@latchkey/common';
import { BffError } from '../errors.js';
import { bindToken } from '../client/remote-client.js';
import { toBffError } from '../http/respond.js';
import { loginFailureFields } from '../http/failure-cause.js';
import { refusalKey, type LoginTransaction } from '../session/login-transaction.js';
import type { ProviderLogin } from '../session/session-record.js';
import { emptySessionData } from '../tokens/session-data.js';
import type { OAuth1RegisteredProvider, OAuth2RegisteredProvider, RegisteredProvider } from '../registry/registry.js';
import type { OAuthToken } from '../tokens/token.js';
import type { BffRuntime } from '../bff/bff-runtime.js';

/** The SPA path with the failed login's error code in its query (the browser SDK's `takeLoginError`). */
export function withLoginError(returnTo: string, code: string, provider: string): string {
  return withQueryParams(returnTo, { [LOGIN_ERROR_PARAM]: code, [LOGIN_ERROR_PROVIDER_PARAM]: provider });
}

interface Completed {
  token: OAuthToken;
  userInfo: BffUser | null;
  /** The ID token's subject and login session, which a back-channel logout token names. */
  login?: ProviderLogin;
}

/** `sub`, `iat` and, when the provider sends it, `sid` (OpenID Connect Back-Channel Logout 1.0 section 2.1). */
function providerLogin(claims: IDToken): ProviderLogin {
  const { sub, iat, sid } = claims;
  return typeof sid === 'string' && sid !== '' ? { sub, sid, iat } : { sub, iat };
}

const single = (ctx: Context, name: string): string | undefined => {
  const value = ctx.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * Takes the transaction (it is gone after, whatever follows) and checks it belongs to this browser's
 * login-binding cookie (RFC 6749 section 10.12).
 */
async function claim(
  bff: BffRuntime,
  ctx: Context,
  provider: string,
  key: string | undefined,
): Promise<{ transaction: LoginTransaction; key: string }> {
  if (key === undefined) throw new BffError('state_missing', 'The callback carries no state.');
  const transaction = await bff.transactions.take(provider, key);
  if (transaction === undefined) throw new BffError('state_mismatch', 'This login is unknown, expired or already used.');
  if (!bff.sessions.isBoundHere(ctx, transaction.binding)) {
    throw new BffError('state_mismatch', 'This login was started in another browser.');
  }
  return { transaction, key };
}

/**
 * An OAuth 1 provider's refusal: Twitter sends `denied=<temporary token>` alone, Authlib
 * `error=access_denied` with no token at all. Either is `authorization_denied`, landing on the refused
 * login's `returnTo` when this browser's latest OAuth 1 login can be found.
 */
async function refusedOAuth1(bff: BffRuntime, ctx: Context, provider: string): Promise<string> {
  const denied = single(ctx, 'denied');
  const binding = bff.sessions.currentBinding(ctx);
  const transaction =
    (denied === undefined ? undefined : await bff.transactions.take(provider, denied)) ??
    (binding === undefined ? undefined : await bff.transactions.take(provider, refusalKey(binding)));
  return transaction !== undefined && bff.sessions.isBoundHere(ctx, transaction.binding) ? transaction.returnTo : '/';
}

async function mapUser(runtime: RegisteredProvider, ctx: Context, token: OAuthToken, idTokenClaims?: IDToken): Promise<BffUser | null> {
  const { config } = runtime;
  if (config.userInfo !== undefined) {
    return config.userInfo({
      provider: config.name,
      token,
      ...(idTokenClaims === undefined ? {} : { idTokenClaims }),
      client: bindToken(runtime.client, token),
      ctx,
    });
  }
  if (runtime.oauth2 !== undefined && token.kind === 'oauth2') return runtime.oauth2.userInfo(token, idTokenClaims);
  return null;
}

async function completeOAuth2(ctx: Context, runtime: OAuth2RegisteredProvider, transaction: LoginTransaction): Promise<Completed> {
  const { token, idTokenClaims } = await runtime.oauth2.exchangeCode(
    new URLSearchParams(ctx.querystring),
    {
      ...(transaction.codeVerifier === undefined ? {} : { codeVerifier: transaction.codeVerifier }),
      ...(transaction.nonce === undefined ? {} : { nonce: transaction.nonce }),
      ...(transaction.dpopKey === undefined ? {} : { dpopKey: transaction.dpopKey }),
    },
    transaction.redirectUri,
  );
  const userInfo = await mapUser(runtime, ctx, token, idTokenClaims);
  return idTokenClaims === undefined ? { token, userInfo } : { token, userInfo, login: providerLogin(idTokenClaims) };
}

async function completeOAuth1(
  ctx: Context,
  runtime: OAuth1RegisteredProvider,
  transaction: LoginTransaction,
  oauthToken: string,
): Promise<Completed> {
  // RFC 5849 section 2.2 sends the verifier back; a refusal comes as `denied=` (as Twitter does) or nothing.
  const verifier = single(ctx, 'oauth_verifier');
  if (single(ctx, 'denied') !== undefined || single(ctx, 'error') !== undefined || verifier === undefined) {
    throw new BffError('authorization_denied', 'The login was declined at the provider.');
  }
  let secret = transaction.oauthTokenSecret;
  if (secret === undefined && runtime.config.fetchRequestToken !== undefined) {
    secret = (await runtime.config.fetchRequestToken(runtime.config.name, oauthToken, ctx))?.oauthTokenSecret;
  }
  if (secret === undefined) throw new BffError('state_mismatch', 'This login is unknown, expired or already used.');
  const token = await runtime.oauth1.accessToken({ oauthToken, oauthTokenSecret: secret }, verifier);
  return { token, userInfo: await mapUser(runtime, ctx, token) };
}

/**
 * `GET /callback/:provider`: checks the transaction, completes the exchange, links the provider to the
 * session under a new session id, and redirects to `returnTo`. Any failure redirects to the SPA with a
 * typed error code instead; nothing is written to the session then.
 */
export function callbackRoute(bff: BffRuntime) {
  return async (ctx: Context, provider: string): Promise<void> => {
    const runtime = bff.registry.runtime(provider);
    let returnTo = '/';
    ctx.set('cache-control', 'no-store');
    try {
      const oauthToken = single(ctx, 'oauth_token');
      if (
        runtime.protocol === 'oauth1' &&
        oauthToken === undefined &&
        (single(ctx, 'denied') !== undefined || single(ctx, 'error') !== undefined)
      ) {
        returnTo = await refusedOAuth1(bff, ctx, provider);
        throw new BffError('authorization_denied', 'The login was declined at the provider.');
      }
      // OAuth 2 finds the login by `state`, OAuth 1 by its temporary credential (RFC 5849 section 2.2).
      const { transaction, key } = await claim(bff, ctx, provider, runtime.protocol === 'oauth2' ? single(ctx, 'state') : oauthToken);
      returnTo = transaction.returnTo;
      const completed =
        runtime.protocol === 'oauth2'
          ? await completeOAuth2(ctx, runtime, transaction)
          : await completeOAuth1(ctx, runtime, transaction, key);

      const existing = (await bff.sessions.current(ctx)) ?? emptySessionData();
      let user: BffUser | null = existing.user ?? completed.userInfo;
      if (bff.onLogin !== undefined) {
        try {
          const chosen = await bff.onLogin(ctx, {
            provider,
            token: completed.token,
            userInfo: completed.userInfo,
            currentUser: existing.user,
          });
          if (chosen !== undefined) user = chosen;
        } catch (cause) {
          throw new BffError('login_failed', 'The login was refused.', { cause });
        }
      }
      const connection = { protocol: runtime.config.protocol, token: completed.token, linkedAt: Math.floor(bff.registry.now() / 1000) };
      // The session as stored once no refresh of its providers is in flight, so a token refreshed meanwhile
      // moves with it; then a new session id, so an id planted before the login is worthless after it.
      await bff.sessions.withLocks(ctx, 'linked', (fresh) =>
        bff.sessions.rotate(ctx, fresh, (stored) => ({ user, connections: { ...stored.connections, [provider]: connection } }), {
          provider,
          login: completed.login,
        }),
      );
      bff.logger.info('login completed', { provider, protocol: runtime.config.protocol });
      ctx.redirect(returnTo);
    } catch (error) {
      const failure = toBffError(error);
      bff.logger.warn('login failed', { ...loginFailureFields(failure), provider });
      ctx.redirect(withLoginError(returnTo, failure.code, provider));
    }
  };
}
