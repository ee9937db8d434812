import type { Context, Middleware } from 'koa';
import type { ClientRecord, GrantType } from '../clients/client-record.js';
import { isPublicClient } from '../clients/client-record.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { readForm } from '../http/body.js';
import type { Params } from '../http/params.js';
import { signIdToken } from '../oidc/id-token.js';
import type { ProviderRuntime } from '../runtime.js';
import type { IssuedTokens } from '../tokens/token-service.js';
import { authenticateClient } from './client-auth.js';
import { verifyCodeVerifier } from './pkce.js';
import { formatScope, parseScope, requireSubset } from './scope.js';

/** A successful token response (RFC 6749 section 5.1, OpenID Connect Core section 3.1.3.3). */
interface TokenResponseBody {
  access_token: string;
  /** `DPoP` for a key-bound access token (RFC 9449 section 5). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

interface GrantContext {
  runtime: ProviderRuntime;
  client: ClientRecord;
  params: Params;
  /** The thumbprint of the request's DPoP proof key (RFC 9449 section 5), when it sent one. */
  dpopJkt: string | undefined;
}

type GrantHandler = (grant: GrantContext) => Promise<{ body: TokenResponseBody; sub: string | null }>;

function tokenBody(issued: IssuedTokens, scopes: readonly string[], dpopJkt: string | undefined): TokenResponseBody {
  const body: TokenResponseBody = {
    access_token: issued.accessToken,
    token_type: dpopJkt === undefined ? 'Bearer' : 'DPoP',
    expires_in: issued.expiresIn,
    scope: formatScope(scopes),
  };
  if (issued.refreshToken !== undefined) body.refresh_token = issued.refreshToken;
  return body;
}

const invalidGrant = (description: string) => new ProtocolError('invalid_grant', description);

/**
 * RFC 9449 section 5: a public client's refresh token is bound to the key of the request that got it
 * (a confidential client authenticates instead, so its refresh token is not). The binding is kept.
 */
function refreshTokenKey(client: ClientRecord, bound: string | undefined, dpopJkt: string | undefined): string | undefined {
  return bound ?? (isPublicClient(client) ? dpopJkt : undefined);
}

/** RFC 6749 section 4.1.3 and RFC 7636 section 4.6. */
const authorizationCodeGrant: GrantHandler = async ({ runtime, client, params, dpopJkt }) => {
  const { tokens, context } = runtime;
  const code = params.require('code');
  const redeemed = await tokens.redeemCode(code);
  if (redeemed.kind === 'invalid') {
    // RFC 6749 section 4.1.2: a code used twice revokes every token issued from it.
    if (redeemed.replayedGrantId !== null) await tokens.revokeGrant(redeemed.replayedGrantId, client.clientId, 'code_replay');
    throw invalidGrant('The authorization code is invalid, expired or already used.');
  }
  // The code is used up from here on, whatever the outcome: a wrong guess never leaves it redeemable.
  const record = redeemed.code;
  if (record.clientId !== client.clientId) throw invalidGrant('The authorization code was issued to another client.');
  const redirectUri = params.get('redirect_uri');
  if (record.redirectUriSent ? redirectUri !== record.redirectUri : redirectUri !== undefined && redirectUri !== record.redirectUri) {
    throw invalidGrant('redirect_uri does not match the authorization request.');
  }
  const verifier = params.get('code_verifier');
  if (record.codeChallenge === undefined) {
    // RFC 9700 section 4.8.2: a verifier without a challenge is a PKCE downgrade attempt.
    if (verifier !== undefined) throw invalidGrant('code_verifier sent, but the authorization request had no code_challenge.');
  } else if (verifier === undefined) {
    throw new ProtocolError('invalid_grant', 'code_verifier is required.');
  } else if (!verifyCodeVerifier(verifier, record.codeChallenge, record.codeChallengeMethod ?? 'S256')) {
    throw invalidGrant('code_verifier does not match the code_challenge.');
  }
  // RFC 9449 section 10: a code requested with dpop_jkt is redeemed only with a proof by that key.
  if (record.dpopJkt !== undefined && record.dpopJkt !== dpopJkt) {
    throw invalidGrant('The authorization code is bound to another DPoP key (dpop_jkt).');
  }
  const user = await context.users.findBySub(record.sub);
  if (!user) throw invalidGrant('The user no longer exists.');

  const refresh = client.grantTypes.includes('refresh_token')
    ? { scopes: record.scopes, authTime: record.authTime, sid: record.sid, jkt: refreshTokenKey(client, undefined, dpopJkt) }
    : undefined;
  const issued = await tokens.issueTokens({
    clientId: client.clientId,
    sub: record.sub,
    scopes: record.scopes,
    grantId: record.grantId,
    jkt: dpopJkt,
    refresh,
  });
  const body = tokenBody(issued, record.scopes, dpopJkt);
  if (record.scopes.includes('openid')) {
    body.id_token = await signIdToken(runtime, {
      user,
      clientId: client.clientId,
      scopes: record.scopes,
      authTime: record.authTime,
      nonce: record.nonce,
      sid: record.sid,
      accessToken: issued.accessToken,
    });
  }
  return { body, sub: record.sub };
};

/** RFC 6749 section 6, with rotation and reuse detection (RFC 9700 section 4.14.2). */
const refreshTokenGrant: GrantHandler = async ({ runtime, client, params, dpopJkt }) => {
  const { tokens, context } = runtime;
  const refreshToken = params.require('refresh_token');
  const requested = parseScope(params.get('scope'));
  const current = await tokens.findRefreshToken(refreshToken);
  // Checked before the token is used up, so a token shown by the wrong client stays with its owner.
  if (current && current.clientId !== client.clientId) throw invalidGrant('The refresh token was issued to another client.');
  if (current) requireSubset(requested, current.scopes, 'the refresh token was granted');
  // RFC 9449 section 5: a key-bound refresh token without a proof by its key is a stolen copy; refused
  // before it is used up, so its owner keeps it.
  const keyMismatch = (record: { jkt?: string }) => record.jkt !== undefined && record.jkt !== dpopJkt;
  if (current && keyMismatch(current)) throw invalidGrant('The refresh token is bound to a DPoP key this request did not prove.');

  const redeemed = await tokens.redeemRefreshToken(refreshToken);
  if (redeemed.kind === 'reused') {
    await tokens.revokeGrant(redeemed.grantId, client.clientId, 'refresh_reuse');
    throw invalidGrant('The refresh token was already used; its grant is revoked.');
  }
  if (redeemed.kind === 'invalid' || redeemed.token.clientId !== client.clientId) {
    throw invalidGrant('The refresh token is invalid or expired.');
  }
  const record = redeemed.token;
  if (keyMismatch(record)) {
    await tokens.restoreRefreshToken(refreshToken, record);
    throw invalidGrant('The refresh token is bound to a DPoP key this request did not prove.');
  }
  const user = await context.users.findBySub(record.sub);
  if (!user) throw invalidGrant('The user no longer exists.');
  const scopes = requested.length > 0 ? requireSubset(requested, record.scopes, 'the refresh token was granted') : record.scopes;
  // The new refresh token keeps the old one's scope; only the access token narrows (RFC 6749 section 6).
  const issued = await tokens
    .issueTokens({
      clientId: client.clientId,
      sub: record.sub,
      scopes,
      grantId: record.grantId,
      // The new access token is bound to this request's key, whichever client it is (section 5).
      jkt: dpopJkt,
      refresh: { scopes: record.scopes, authTime: record.authTime, sid: record.sid, jkt: refreshTokenKey(client, record.jkt, dpopJkt) },
    })
    .catch(async (error: unknown) => {
      // Nothing was issued (a full store, storage/memory-store.ts): the used refresh token goes back, so
      // the client's retry is not taken for reuse, which would revoke the grant.
      await tokens.restoreRefreshToken(refreshToken, record).catch(() => undefined);
      throw error;
    });
  const body = tokenBody(issued, scopes, dpopJkt);
  if (scopes.includes('openid')) {
    body.id_token = await signIdToken(runtime, {
      user,
      clientId: client.clientId,
      scopes,
      authTime: record.authTime,
      sid: record.sid,
      accessToken: issued.accessToken,
    });
  }
  return { body, sub: record.sub };
};

/** RFC 6749 section 4.4: confidential clients only, no user, no refresh token. */
const clientCredentialsGrant: GrantHandler = async ({ runtime, client, params, dpopJkt }) => {
  if (isPublicClient(client)) throw new ProtocolError('unauthorized_client', 'Public clients cannot use client_credentials.');
  const requested = parseScope(params.get('scope'));
  const userScopes = ['openid', 'profile', 'email', 'offline_access'];
  const allowed = client.scopes.filter((scope) => !userScopes.includes(scope));
  const scopes = requested.length > 0 ? requireSubset(requested, allowed, 'this client may ask for without a user') : allowed;
  const issued = await runtime.tokens.issueTokens({ clientId: client.clientId, sub: null, scopes, grantId: null, jkt: dpopJkt });
  return { body: tokenBody(issued, scopes, dpopJkt), sub: null };
};

/** RFC 6749 section 4.3: only when `features.passwordGrant` is on. */
const passwordGrant: GrantHandler = async ({ runtime, client, params, dpopJkt }) => {
  const { tokens, context } = runtime;
  const username = params.require('username');
  const password = params.require('password');
  const requested = parseScope(params.get('scope'));
  const scopes = requested.length > 0 ? requireSubset(requested, client.scopes, 'this client may ask for') : [...client.scopes];
  const user = await context.users.authenticate(username, password);
  if (!user) throw invalidGrant('The username or password is incorrect.');
  const now = Math.floor(context.now() / 1000);
  const grantId = tokens.newGrantId();
  const refresh = client.grantTypes.includes('refresh_token')
    ? { scopes, authTime: now, jkt: refreshTokenKey(client, undefined, dpopJkt) }
    : undefined;
  const issued = await tokens.issueTokens({ clientId: client.clientId, sub: user.sub, scopes, grantId, jkt: dpopJkt, refresh });
  return { body: tokenBody(issued, scopes, dpopJkt), sub: user.sub };
};

const GRANTS: Readonly<Partial<Record<GrantType, GrantHandler>>> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  password: passwordGrant,
};

function handlerFor(runtime: ProviderRuntime, grantType: string): GrantHandler | undefined {
  if (grantType === 'password' && !runtime.features.passwordGrant) return undefined;
  return Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType as GrantType] : undefined;
}

/** Token responses are never cached (RFC 6749 section 5.1). */
export function noStore(ctx: Context): void {
  ctx.set('cache-control', 'no-store');
  ctx.set('pragma', 'no-cache');
}

/** POST /oauth/token (RFC 6749 section 3.2). */
export function tokenEndpoint(runtime: ProviderRuntime): Middleware {
  const { context } = runtime;
  return async (ctx) => {
    noStore(ctx);
    let params: Params;
    try {
      params = await readForm(ctx);
    } catch (error) {
      context.emit({ type: 'token_request', grantType: '', clientId: null });
      throw error;
    }
    const grantType = params.get('grant_type') ?? '';
    let client: ClientRecord;
    try {
      ({ client } = await authenticateClient(ctx, params, context.clients));
    } catch (error) {
      context.emit({ type: 'token_request', grantType, clientId: null });
      throw error;
    }
    context.emit({ type: 'token_request', grantType, clientId: client.clientId });

    if (grantType === '') throw new ProtocolError('invalid_request', 'grant_type is required.');
    const handler = handlerFor(runtime, grantType);
    if (!handler) throw new ProtocolError('unsupported_grant_type', 'This grant type is not supported.');
    if (!client.grantTypes.includes(grantType as GrantType)) {
      throw new ProtocolError('unauthorized_client', 'This client may not use this grant type.');
    }
    // RFC 9449 section 5: a proof makes the access token key-bound; some clients must always send one.
    const dpopJkt = await runtime.dpop.verify(ctx);
    if (dpopJkt === undefined && client.dpopBoundAccessTokens === true) {
      throw new ProtocolError('invalid_dpop_proof', 'This client must send a DPoP proof.');
    }
    const { body, sub } = await handler({ runtime, client, params, dpopJkt });
    context.emit({ type: 'token_issued', grantType, clientId: client.clientId, sub });
    ctx.status = 200;
    ctx.body = body;
  };
}
