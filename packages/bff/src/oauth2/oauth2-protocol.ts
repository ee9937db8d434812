import * as oauth from 'oauth4webapi';
import type { BffUser } from '@latchkey/common';
import { BffError } from '../errors.js';
import type { ScopeDelimiter } from '../config/client-config.js';
import type { ResolvedOAuth2Config } from '../config/resolved-config.js';
import type { OAuth2Token } from '../tokens/token.js';
import { userFromClaims } from '../userinfo.js';
import { clientAuthentication } from './client-auth.js';
import { verifyIdTokenSignature } from './id-token-signature.js';
import { createMetadataSource, type MetadataSource } from './metadata.js';
import { formatScope, parseScope } from './scope.js';
import { dpopJkt, generateDPoPJwk, type DPoPKey, type DPoPKeys, type DPoPPrivateJwk } from '../dpop/dpop-key.js';
import { checkDPoPTokenType, dpopOption, withDPoPNonceRetry } from './dpop-grant.js';
import { pushAuthorizationRequest, pushesAuthorizationRequest } from './pushed-authorization.js';

/** What the authorization request generated and the callback needs back (kept in the login transaction). */
interface OAuth2LoginSecrets {
  state: string;
  codeVerifier?: string;
  nonce?: string;
  /** RFC 9449 section 10: the login's DPoP key, named by the authorization request so the code is bound to it. */
  dpopKey?: DPoPPrivateJwk;
}

/** What the code exchange checks against: `state` was checked already, by finding the transaction with it. */
type OAuth2ExchangeSecrets = Omit<OAuth2LoginSecrets, 'state'>;

interface OAuth2LoginResult {
  token: OAuth2Token;
  idTokenClaims?: oauth.IDToken;
}

/** The OAuth 2 / OIDC protocol steps of one provider, on oauth4webapi. */
export interface OAuth2Protocol {
  readonly metadata: MetadataSource;
  /**
   * RFC 6749 section 4.1.1 with PKCE S256 (RFC 7636) and, for OIDC, a nonce; pushed first (RFC 9126) when
   * the provider takes pushed requests, so the URL then carries `client_id` and `request_uri` only.
   */
  authorizationUrl(redirectUri: string): Promise<{ url: URL; secrets: OAuth2LoginSecrets }>;
  /**
   * Checks the callback (RFC 9207 `iss`, an `error`), exchanges the code and validates the id_token, its
   * signature included. The caller checked `state` by finding its login transaction with it.
   */
  exchangeCode(callback: URLSearchParams, secrets: OAuth2ExchangeSecrets, redirectUri: string): Promise<OAuth2LoginResult>;
  /**
   * RFC 6749 section 6. Keeps the old refresh token and scopes when the response omits them, and proves
   * possession of the token's DPoP key when it has one (RFC 9449 section 5).
   */
  refresh(token: OAuth2Token): Promise<OAuth2Token>;
  /** RFC 7009; `false` when the provider has no revocation endpoint. */
  revoke(token: OAuth2Token): Promise<boolean>;
  /** OIDC userinfo (subject checked against the id_token), else the id_token claims, else `null`. */
  userInfo(token: OAuth2Token, idTokenClaims: oauth.IDToken | undefined): Promise<BffUser | null>;
}

/** Timeout and transport switch shared by every oauth4webapi call (no custom fetch). */
type BaseRequestOptions = Pick<oauth.HttpRequestOptions<'GET'>, 'signal' | typeof oauth.allowInsecureRequests>;

export interface OAuth2ProtocolOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
  allowInsecureHttp: boolean;
  /** The provider's imported DPoP keys, shared with its API client. */
  dpopKeys: DPoPKeys;
}

/** How the granted scopes are read from a token answer. */
interface GrantedScopes {
  /** The provider's delimiter (`clientKwargs.scopeDelimiter`). */
  delimiter: ScopeDelimiter;
  /** What an answer without `scope` grants: the scopes requested (RFC 6749 section 5.1). */
  requested: string[];
}

function toOAuth2Token(
  response: oauth.TokenEndpointResponse,
  nowMs: number,
  scopes: GrantedScopes,
  dpopKey: DPoPPrivateJwk | undefined,
  previous?: OAuth2Token,
): OAuth2Token {
  const token: OAuth2Token = {
    kind: 'oauth2',
    accessToken: response.access_token,
    tokenType: response.token_type,
    scopes: typeof response.scope === 'string' ? parseScope(response.scope, scopes.delimiter) : (previous?.scopes ?? scopes.requested),
  };
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  if (refreshToken !== undefined) token.refreshToken = refreshToken;
  if (typeof response.expires_in === 'number') {
    token.issuedAt = Math.floor(nowMs / 1000);
    token.expiresAt = token.issuedAt + response.expires_in;
  }
  const idToken = response.id_token ?? previous?.idToken;
  if (idToken !== undefined) token.idToken = idToken;
  if (dpopKey !== undefined) token.dpopKey = dpopKey;
  return token;
}

export function createOAuth2Protocol(config: ResolvedOAuth2Config, options: OAuth2ProtocolOptions): OAuth2Protocol {
  const kwargs = config.clientKwargs;
  const client: oauth.Client = { client_id: config.clientId };
  const auth = clientAuthentication(config.clientAuth);
  const hookContext = { provider: config.name };
  const requestOptions = (): BaseRequestOptions => ({
    signal: () => AbortSignal.timeout(kwargs.timeoutMs),
    ...(options.allowInsecureHttp ? { [oauth.allowInsecureRequests]: true } : {}),
  });
  const metadata = createMetadataSource(config, requestOptions);
  const verifySignature = (as: oauth.AuthorizationServer, response: Response, result: oauth.TokenEndpointResponse) =>
    result.id_token === undefined
      ? undefined
      : verifyIdTokenSignature(as, response, result.id_token, config.clientSecret, requestOptions());
  // The refresh endpoint's metadata is made once per discovered document: oauth4webapi caches the JWKS per object.
  let refreshAs: { from: oauth.AuthorizationServer; as: oauth.AuthorizationServer } | undefined;
  const refreshMetadata = (discovered: oauth.AuthorizationServer): oauth.AuthorizationServer => {
    if (config.refreshTokenUrl === undefined) return discovered;
    if (refreshAs?.from !== discovered)
      refreshAs = { from: discovered, as: Object.freeze({ ...discovered, token_endpoint: config.refreshTokenUrl }) };
    return refreshAs.as;
  };
  const scope = kwargs.scope ?? (config.serverMetadataUrl === undefined ? undefined : 'openid');
  const requestedScopes = scope === undefined ? [] : parseScope(scope, kwargs.scopeDelimiter);
  const granted: GrantedScopes = { delimiter: kwargs.scopeDelimiter, requested: requestedScopes };
  const isOidc = requestedScopes.includes('openid');

  const { dpopKeys } = options;
  const keyOf = async (jwk: DPoPPrivateJwk | undefined): Promise<DPoPKey | undefined> => (jwk === undefined ? undefined : dpopKeys.of(jwk));

  const tokenError = (code: 'login_failed' | 'refresh_failed', cause: unknown) =>
    new BffError(code, code === 'login_failed' ? 'The provider refused the login.' : 'The session could not be renewed.', {
      cause,
    });

  return {
    metadata,

    async authorizationUrl(redirectUri) {
      const as = await metadata.get();
      if (as.authorization_endpoint === undefined) {
        throw new BffError('internal_error', 'The provider has no authorization endpoint.');
      }
      const params = new URLSearchParams(config.authorizeParams);
      const secrets: OAuth2LoginSecrets = { state: oauth.generateRandomState() };
      params.set('client_id', config.clientId);
      params.set('response_type', 'code');
      params.set('redirect_uri', redirectUri);
      params.set('state', secrets.state);
      if (requestedScopes.length > 0) params.set('scope', formatScope(requestedScopes, kwargs.scopeDelimiter));
      if (kwargs.codeChallengeMethod === 'S256') {
        secrets.codeVerifier = oauth.generateRandomCodeVerifier();
        params.set('code_challenge', await oauth.calculatePKCECodeChallenge(secrets.codeVerifier));
        params.set('code_challenge_method', 'S256');
      }
      if (isOidc) {
        secrets.nonce = oauth.generateRandomNonce();
        params.set('nonce', secrets.nonce);
      }
      // RFC 9449 section 10: one key pair per login, made now so the code is bound to it as well as the tokens.
      if (kwargs.dpop) secrets.dpopKey = await generateDPoPJwk();
      if (pushesAuthorizationRequest(as, kwargs.pushedAuthorizationRequests)) {
        // Section 10.1: a proof with the pushed request binds the code, so `dpop_jkt` is not sent besides it.
        const dpop = await keyOf(secrets.dpopKey);
        const url = await pushAuthorizationRequest(as, as.authorization_endpoint, params, {
          client,
          auth,
          options: requestOptions(),
          dpop,
        });
        return { url, secrets };
      }
      if (secrets.dpopKey !== undefined) params.set('dpop_jkt', await dpopJkt(secrets.dpopKey));
      const url = new URL(as.authorization_endpoint);
      for (const [name, value] of params) url.searchParams.set(name, value);
      return { url, secrets };
    },

    async exchangeCode(callback, secrets, redirectUri) {
      const as = await metadata.get();
      try {
        // RFC 6749 section 10.12: the state check is the login transaction found under this state (one use,
        // bound to this browser); comparing the state with itself again would check nothing.
        const params = oauth.validateAuthResponse(as, client, callback, oauth.skipStateCheck);
        // The login's key, bound to the code and every token of the grant; a login started before codes were
        // bound has none, and gets one now.
        const dpopKey = secrets.dpopKey ?? (kwargs.dpop ? await generateDPoPJwk() : undefined);
        const dpop = await keyOf(dpopKey);
        const { response, result } = await withDPoPNonceRetry(dpop, async () => {
          let response = await oauth.authorizationCodeGrantRequest(
            as,
            client,
            auth,
            params,
            redirectUri,
            secrets.codeVerifier ?? oauth.nopkce,
            { ...requestOptions(), ...dpopOption(dpop), additionalParameters: config.accessTokenParams },
          );
          if (config.complianceFix.accessTokenResponse) {
            response = await config.complianceFix.accessTokenResponse(response, hookContext);
          }
          const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
            expectedNonce: secrets.nonce ?? oauth.expectNoNonce,
            requireIdToken: isOidc,
          });
          return { response, result };
        });
        checkDPoPTokenType(dpop, result);
        await verifySignature(as, response, result);
        const idTokenClaims = oauth.getValidatedIdTokenClaims(result);
        const token = toOAuth2Token(result, options.now(), granted, dpopKey);
        return idTokenClaims === undefined ? { token } : { token, idTokenClaims };
      } catch (error) {
        if (error instanceof oauth.AuthorizationResponseError && error.error === 'access_denied') {
          throw new BffError('authorization_denied', 'The login was declined at the provider.', { cause: error });
        }
        throw tokenError('login_failed', error);
      }
    },

    async refresh(token) {
      if (token.refreshToken === undefined) {
        throw new BffError('refresh_failed', 'The session has expired; log in again.');
      }
      const as = refreshMetadata(await metadata.get());
      const refreshToken = token.refreshToken;
      try {
        // The same key as at login: the provider binds the refresh token (of a confidential client too) to it.
        const dpop = await keyOf(token.dpopKey);
        const { response, result } = await withDPoPNonceRetry(dpop, async () => {
          let response = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, {
            ...requestOptions(),
            ...dpopOption(dpop),
            additionalParameters: config.refreshTokenParams,
          });
          if (config.complianceFix.refreshTokenResponse) {
            response = await config.complianceFix.refreshTokenResponse(response, hookContext);
          }
          return { response, result: await oauth.processRefreshTokenResponse(as, client, response) };
        });
        checkDPoPTokenType(dpop, result);
        await verifySignature(as, response, result);
        return toOAuth2Token(result, options.now(), granted, token.dpopKey, token);
      } catch (error) {
        throw tokenError('refresh_failed', error);
      }
    },

    async revoke(token) {
      const as = await metadata.get();
      if (as.revocation_endpoint === undefined) return false;
      // Revoking the refresh token ends the grant (RFC 7009 section 2.1); the access token goes too.
      const targets = [token.refreshToken, token.accessToken].filter((value): value is string => value !== undefined);
      for (const target of targets) {
        const response = await oauth.revocationRequest(as, client, auth, target, requestOptions());
        await oauth.processRevocationResponse(response);
      }
      return true;
    },

    async userInfo(token, idTokenClaims) {
      const as = await metadata.get();
      if (as.userinfo_endpoint === undefined) {
        return idTokenClaims === undefined ? null : userFromClaims(idTokenClaims);
      }
      const dpop = await keyOf(token.dpopKey);
      const claims = await withDPoPNonceRetry(dpop, async () => {
        const response = await oauth.userInfoRequest(as, client, token.accessToken, { ...requestOptions(), ...dpopOption(dpop) });
        return oauth.processUserInfoResponse(as, client, idTokenClaims?.sub ?? oauth.skipSubjectCheck, response);
      });
      return userFromClaims(claims);
    },
  };
}
