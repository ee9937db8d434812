import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { ClientRecord } from '../clients/client-record.js';
import { isPublicClient } from '../clients/client-record.js';
import { setAuthorizeErrorTarget } from '../errors/error-middleware.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { MAX_PARAMETER_LENGTH, Params } from '../http/params.js';
import type { ProviderRuntime } from '../runtime.js';
import { parseCodeChallenge, type PkceMethod } from './pkce.js';
import { matchRedirectUri } from './redirect-uri.js';
import { parseScope, requireSubset } from './scope.js';

/**
 * A validated authorization request, kept server-side while the user looks at the login page, so the
 * page's POST can only name it (by `id`) and never change it.
 */
export interface AuthorizationTransaction {
  id: string;
  clientId: string;
  redirectUri: string;
  /** Whether the request named `redirect_uri` (then the token request must repeat it, RFC 6749 section 4.1.3). */
  redirectUriSent: boolean;
  responseType: 'code' | 'token';
  scopes: string[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: PkceMethod;
  /** `dpop_jkt` (RFC 9449 section 10): the key whose DPoP proof alone may redeem the code. */
  dpopJkt?: string;
  /**
   * The login session the page was shown to, when it may skip the password: its store handle and user.
   * The answer must come with the same session, so a transaction cannot be completed by another browser.
   */
  session?: { handle: string; sub: string };
}

/** What the request asks of the login session (OpenID Connect Core section 3.1.2.1). */
export interface AuthenticationRequirements {
  /** `prompt=none`: answer without any page, or with `login_required` / `consent_required`. */
  none: boolean;
  /** `prompt=login`: ask for the password even when signed in. */
  login: boolean;
  /** `max_age`: the password must have been typed at most this many seconds ago. */
  maxAge: number | undefined;
}

export interface AuthorizationRequest {
  transaction: AuthorizationTransaction;
  requirements: AuthenticationRequirements;
}

const transactionKey = (id: string) => `oauth2:authz-tx:${id}`;

/** Errors before the redirect URI is trusted must not redirect (RFC 6749 section 4.1.2.1). */
function pageError(description: string, cause?: unknown): ProtocolError {
  return new ProtocolError('invalid_request', description, { cause });
}

function single(raw: URLSearchParams, name: string): string | undefined {
  const values = raw.getAll(name);
  if (values.length > 1) throw pageError(`Parameter ${name} is included more than once.`);
  const value = values[0];
  if (value !== undefined && value.length > MAX_PARAMETER_LENGTH) throw pageError(`Parameter ${name} is too long.`);
  return value === '' ? undefined : value;
}

/** RFC 6749 section 3.1.2.3: the redirect URI must equal a registered one (any port on loopback, RFC 8252 section 7.3). */
function resolveRedirectUri(client: ClientRecord, requested: string | undefined): string {
  if (requested !== undefined) {
    if (matchRedirectUri(client.redirectUris, requested) === undefined) {
      throw pageError('The redirect_uri is not registered for this client.');
    }
    return requested;
  }
  const [only, ...others] = client.redirectUris;
  if (only === undefined || others.length > 0) {
    throw pageError('redirect_uri is required: the client has more than one registered.');
  }
  return only;
}

/** `prompt` and `max_age` (OpenID Connect Core section 3.1.2.1). */
function authenticationRequirements(params: Params): AuthenticationRequirements {
  const prompt = parseScope(params.get('prompt'));
  if (prompt.includes('none') && prompt.length > 1) {
    throw new ProtocolError('invalid_request', 'prompt=none cannot be combined with other prompt values.');
  }
  const rawMaxAge = params.get('max_age');
  if (rawMaxAge !== undefined && !/^[0-9]{1,10}$/.test(rawMaxAge)) {
    throw new ProtocolError('invalid_request', 'max_age must be a number of seconds.');
  }
  return {
    none: prompt.includes('none'),
    login: prompt.includes('login'),
    maxAge: rawMaxAge === undefined ? undefined : Number(rawMaxAge),
  };
}

/**
 * Validates an authorization request (RFC 6749 section 4.1.1, RFC 7636 section 4.3, OpenID Connect
 * Core section 3.1.2.1), given as the query of a GET or the form body of a POST (section 3.1.2.1:
 * both must be supported). Client and redirect URI problems throw before the error target is set, so
 * they render a page; everything after them redirects back to the client.
 */
export async function validateAuthorizationRequest(ctx: Context, runtime: ProviderRuntime, text: string): Promise<AuthorizationRequest> {
  const { context, features } = runtime;
  const raw = new URLSearchParams(text);
  const clientId = single(raw, 'client_id');
  if (clientId === undefined) throw pageError('client_id is required.');
  const client = await context.clients.get(clientId);
  if (!client) throw pageError('Unknown client_id.');
  const redirectUri = resolveRedirectUri(client, single(raw, 'redirect_uri'));

  const rawResponseType = raw.getAll('response_type');
  const implicit = features.implicitGrant && rawResponseType.length === 1 && rawResponseType[0] === 'token';
  const rawState = raw.getAll('state');
  const state = rawState.length === 1 && (rawState[0] ?? '').length <= MAX_PARAMETER_LENGTH && rawState[0] !== '' ? rawState[0] : undefined;
  setAuthorizeErrorTarget(ctx, { redirectUri, state, issuer: context.issuer, responseMode: implicit ? 'fragment' : 'query' });

  const params = Params.parse(text);
  if (params.has('request')) throw new ProtocolError('request_not_supported', 'Request objects are not supported.');
  if (params.has('request_uri')) throw new ProtocolError('request_uri_not_supported', 'request_uri is not supported.');

  const responseType = params.get('response_type');
  if (responseType === undefined) throw new ProtocolError('invalid_request', 'response_type is required.');
  if (responseType === 'code') {
    if (!client.grantTypes.includes('authorization_code')) {
      throw new ProtocolError('unauthorized_client', 'This client may not use the authorization code grant.');
    }
  } else if (implicit) {
    if (!client.grantTypes.includes('implicit')) {
      throw new ProtocolError('unauthorized_client', 'This client may not use the implicit grant.');
    }
    // RFC 9449 section 5.2: its access tokens must be key-bound, which only the token endpoint can do.
    if (client.dpopBoundAccessTokens === true) {
      throw new ProtocolError('unauthorized_client', 'This client needs DPoP-bound access tokens: use response_type=code.');
    }
  } else {
    throw new ProtocolError('unsupported_response_type', 'Only response_type=code is supported.');
  }
  const responseMode = params.get('response_mode');
  if (responseMode !== undefined && responseMode !== (implicit ? 'fragment' : 'query')) {
    throw new ProtocolError('invalid_request', 'Unsupported response_mode.');
  }

  const scopes = parseScope(params.get('scope'));
  if (scopes.length === 0) throw new ProtocolError('invalid_scope', 'scope is required.');
  requireSubset(scopes, client.scopes, 'this client may ask for');

  const requirements = authenticationRequirements(params);

  const transaction: AuthorizationTransaction = {
    id: randomBytes(24).toString('base64url'),
    clientId: client.clientId,
    redirectUri,
    redirectUriSent: params.has('redirect_uri'),
    responseType: implicit ? 'token' : 'code',
    scopes,
  };
  if (state !== undefined) transaction.state = state;
  const nonce = params.get('nonce');
  if (nonce !== undefined) transaction.nonce = nonce;
  const dpopJkt = params.get('dpop_jkt');
  if (dpopJkt !== undefined) {
    // A SHA-256 JWK thumbprint (RFC 7638), base64url: anything else could never match a proof.
    if (!/^[A-Za-z0-9_-]{43}$/.test(dpopJkt)) throw new ProtocolError('invalid_request', 'dpop_jkt must be a SHA-256 JWK thumbprint.');
    if (implicit) throw new ProtocolError('invalid_request', 'dpop_jkt does not apply to response_type=token.');
    transaction.dpopJkt = dpopJkt;
  }

  if (implicit) {
    if (params.has('code_challenge')) throw new ProtocolError('invalid_request', 'PKCE does not apply to response_type=token.');
  } else {
    const pkce = parseCodeChallenge(params.get('code_challenge'), params.get('code_challenge_method'), features.plainPkce);
    // RFC 9700 section 2.1.1: public clients must use PKCE; every client may.
    if (!pkce && isPublicClient(client)) {
      throw new ProtocolError('invalid_request', 'code_challenge (PKCE, S256) is required for public clients.');
    }
    if (pkce) Object.assign(transaction, pkce);
  }
  return { transaction, requirements };
}

export async function saveTransaction(runtime: ProviderRuntime, transaction: AuthorizationTransaction): Promise<void> {
  await runtime.context.storage.set(transactionKey(transaction.id), transaction, runtime.lifetimes.authorizationTransaction);
}

export function findTransaction(runtime: ProviderRuntime, id: string): Promise<AuthorizationTransaction | undefined> {
  return runtime.context.storage.get<AuthorizationTransaction>(transactionKey(id));
}

/** Uses the transaction up: exactly one concurrent POST completes it. */
export function takeTransaction(runtime: ProviderRuntime, id: string): Promise<AuthorizationTransaction | undefined> {
  return runtime.context.storage.take<AuthorizationTransaction>(transactionKey(id));
}
