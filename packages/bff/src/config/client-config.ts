import type { Context } from 'koa';
import type { BffUser } from '@latchkey/common';
import type { IDToken, PrivateKey } from 'oauth4webapi';
import type { OAuthToken } from '../tokens/token.js';
import type { FetchToken, UpdateToken } from '../tokens/token-hooks.js';
import type { RemoteClient } from '../api/remote-client.js';

/** Client authentication at the token endpoint (RFC 6749 section 2.3.1, OIDC Core section 9). */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/**
 * How `client_secret_basic` writes the id and secret before base64: `unreserved` percent-encodes all but
 * `A-Z a-z 0-9 - . _ ~` (so `:` always), which servers that form-decode (RFC 6749 section 2.3.1) and servers
 * that do not (Authlib 1.2) read alike for such ids; `form` form-encodes everything else too (`-` as `%2D`);
 * `none` sends them as they are (RFC 7617 section 2), for servers that never decode them (Reddit, X).
 */
export const BASIC_AUTH_ENCODINGS = ['unreserved', 'form', 'none'] as const;
export type BasicAuthEncoding = (typeof BASIC_AUTH_ENCODINGS)[number];

/** Where an OAuth 2 access token goes on API calls (RFC 6750 section 2.1, 2.2, 2.3). */
export const TOKEN_PLACEMENTS = ['header', 'query', 'body'] as const;
export type TokenPlacement = (typeof TOKEN_PLACEMENTS)[number];

/** Where OAuth 1 protocol parameters go (RFC 5849 section 3.5). */
export const SIGNATURE_TYPES = ['header', 'query', 'body'] as const;
export type SignatureType = (typeof SIGNATURE_TYPES)[number];

/**
 * How a provider joins scopes: RFC 6749 section 3.3 uses spaces; some providers use commas in the
 * authorization request and in their token answers (Facebook's dialog, GitHub's answers).
 */
export const SCOPE_DELIMITERS = [' ', ','] as const;
export type ScopeDelimiter = (typeof SCOPE_DELIMITERS)[number];

/** PKCE methods (RFC 7636 section 4.2). `plain` is never sent; turning PKCE off takes `dangerouslyDisablePkce`. */
export const CODE_CHALLENGE_METHODS = ['S256'] as const;
export type CodeChallengeMethod = (typeof CODE_CHALLENGE_METHODS)[number];

/** A private key for `private_key_jwt` (oauth4webapi's `PrivateKey`: a `CryptoKey` and an optional `kid`). */
export type ClientPrivateKey = PrivateKey;

/** Settings of both protocols in `clientKwargs`. */
interface CommonKwargs {
  /** Allows `http:` provider URLs and PLAINTEXT over `http:` (loopback tests only). Default false. */
  dangerouslyAllowInsecureHttp?: boolean;
  /** Timeout of calls to the provider's token and API endpoints, in milliseconds. Default 10000. */
  timeoutMs?: number;
}

/** `clientKwargs` of an OAuth 2 client. */
interface OAuth2ClientKwargs extends CommonKwargs {
  /** Scopes to request, separated by spaces (or by `scopeDelimiter`). Default: none (OIDC discovery clients: `openid`). */
  scope?: string;
  /** Joins the requested scopes in the authorization request and splits the granted `scope` of token answers. Default `' '`. */
  scopeDelimiter?: ScopeDelimiter;
  /** OAuth 2 client authentication. Default `client_secret_basic`, which needs a secret; a public client says `none`. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** `client_secret_basic` only: `form` form-encodes all of the id and secret, `none` sends them raw. Default `unreserved`. */
  basicAuthEncoding?: BasicAuthEncoding;
  /** Authenticate with HTTP Basic and an empty secret (`id:`), as Reddit's installed apps do; needs `basicAuthEncoding: 'none'` and no secret. Default false. */
  emptyClientSecret?: boolean;
  /** OAuth 2 access token placement on API calls; `body` refuses calls without a form body (`unsupported_request`). Default `header`. */
  tokenPlacement?: TokenPlacement;
  /** PKCE (RFC 7636). Default and only value `S256`. */
  codeChallengeMethod?: CodeChallengeMethod;
  /**
   * Sends no PKCE challenge, for a provider that rejects one. Without PKCE a stolen authorization code
   * can be redeemed (RFC 9700 section 2.1.1); `state` alone is left against CSRF. Default false.
   */
  dangerouslyDisablePkce?: boolean;
  /** Key for `private_key_jwt` (not readable from the environment). Default: none. */
  clientPrivateKey?: ClientPrivateKey;
  /**
   * Pushes the authorization request (RFC 9126) and sends the browser with `client_id` and `request_uri`
   * only. `false` stops it unless the provider requires it (`require_pushed_authorization_requests`);
   * `true` insists, so a provider without an endpoint fails the login. Default: when the provider has a
   * `pushed_authorization_request_endpoint` (or `pushedAuthorizationRequestUrl` is set).
   */
  pushedAuthorizationRequests?: boolean;
  /**
   * Sender-constrained tokens (RFC 9449): one ES256 key pair per login, kept in the server-side session
   * beside the tokens, proves possession at the token endpoint and on every API call
   * (`Authorization: DPoP`). Needs `tokenPlacement: 'header'`. Default false.
   */
  dpop?: boolean;
}

/** `clientKwargs` of an OAuth 1.0a client. */
interface OAuth1ClientKwargs extends CommonKwargs {
  /** OAuth 1 signature method: `HMAC-SHA1`, `RSA-SHA1`, `PLAINTEXT` or a key of the registry's `extraSignatureMethods`. Default `HMAC-SHA1`. */
  signatureMethod?: string;
  /** OAuth 1 parameter placement. Default `header`. */
  signatureType?: SignatureType;
  /** OAuth 1 RSA-SHA1 private key (PEM). Required for `RSA-SHA1`. */
  rsaKey?: string;
}

/**
 * Protocol settings, as Authlib's `client_kwargs`: the keys of both protocols (`register` refuses a key of
 * the other protocol). Read from `{NAME}_CLIENT_KWARGS` (JSON) when not given.
 */
export interface ClientKwargs extends OAuth2ClientKwargs, OAuth1ClientKwargs {}

/** Every key either protocol takes in `clientKwargs`. */
export type ClientKwargsKey = keyof ClientKwargs;

/** Extra parameters sent with a protocol request. */
export type ExtraParams = Record<string, string>;

/** Identifies a provider call in hooks. */
export interface HookContext {
  provider: string;
}

/** A request to a provider's API, after the token was attached; `protectedRequest` may change it. */
export interface ProtectedRequest {
  method: string;
  url: URL;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body?: Buffer;
}

/**
 * Fixes for providers that bend the specs (Authlib's compliance fixes), applied where the bend happens:
 * token responses before oauth4webapi parses them, API requests right before they are sent.
 */
export interface ComplianceFix {
  /** Rewrites the token endpoint's answer to the code (or OAuth 1 verifier) exchange. */
  accessTokenResponse?(response: Response, context: HookContext): Response | Promise<Response>;
  /** Rewrites the token endpoint's answer to a refresh. */
  refreshTokenResponse?(response: Response, context: HookContext): Response | Promise<Response>;
  /** Changes an outgoing API request after the token is attached. */
  protectedRequest?(request: ProtectedRequest, context: HookContext): ProtectedRequest | Promise<ProtectedRequest>;
}

/** What a `userInfo` mapping receives after a successful login. */
export interface UserInfoInput {
  provider: string;
  token: OAuthToken;
  /** Validated id_token claims (OIDC), when the provider sent one. */
  idTokenClaims?: IDToken;
  /** The provider's API client, already holding the new token. */
  client: RemoteClient;
  ctx: Context;
}

/** Maps a provider's account to the normalized user. The default reads OIDC claims or the userinfo endpoint. */
export type UserInfoMapper = (input: UserInfoInput) => Promise<BffUser | null>;

/** An OAuth 1 temporary credential (RFC 5849 section 2.1). */
export interface RequestToken {
  oauthToken: string;
  oauthTokenSecret: string;
}
export type SaveRequestToken = (provider: string, requestToken: RequestToken, ctx: Context) => Promise<void> | void;
export type FetchRequestToken = (provider: string, oauthToken: string, ctx: Context) => Promise<RequestToken | null | undefined>;

/** Keys of both protocols. */
interface CommonConfig {
  /** OAuth 2 client id or OAuth 1 consumer key. Required. */
  clientId?: string;
  /** OAuth 2 client secret or OAuth 1 consumer secret. Required unless the auth method needs none. */
  clientSecret?: string;
  /** Token endpoint (OAuth 2) or token credential endpoint (OAuth 1). Default: from discovery. */
  accessTokenUrl?: string;
  /** Extra parameters of the code (or verifier) exchange. Default none. */
  accessTokenParams?: ExtraParams;
  /** Authorization endpoint. Default: from discovery. */
  authorizeUrl?: string;
  /** Extra authorization request parameters. Default none. */
  authorizeParams?: ExtraParams;
  /** Base URL of the provider's API: the proxy and `client.get()` reach only URLs under it. Default none. */
  apiBaseUrl?: string;
  /** Name shown on login buttons. Default: the registered name. */
  displayName?: string;
  /** Per-client `fetchToken`. Default: the registry's. */
  fetchToken?: FetchToken;
  /** Provider quirk fixes. Default none. */
  complianceFix?: ComplianceFix;
  /** Maps the provider's account to a user. Default: OIDC claims / userinfo endpoint, else none. */
  userInfo?: UserInfoMapper;
}

/** The keys of an OAuth 2 / OIDC client (no `requestTokenUrl`, nor `{NAME}_REQUEST_TOKEN_URL`). */
interface OAuth2ClientConfig extends CommonConfig {
  /** Token endpoint used to refresh, when it differs. Default: `accessTokenUrl`. */
  refreshTokenUrl?: string;
  /** Extra parameters of refresh requests. Default none. */
  refreshTokenParams?: ExtraParams;
  /** OIDC / RFC 8414 metadata URL (`.../.well-known/openid-configuration`); fills the endpoints. Default none. */
  serverMetadataUrl?: string;
  /** RFC 7009 revocation endpoint. Default: from discovery. */
  revokeTokenUrl?: string;
  /** RFC 9126 pushed authorization request endpoint. Default: from discovery. */
  pushedAuthorizationRequestUrl?: string;
  /** OIDC userinfo endpoint. Default: from discovery. */
  userInfoUrl?: string;
  /** Protocol settings. Default `{}`. */
  clientKwargs?: OAuth2ClientKwargs;
  /** Per-client `updateToken`. Default: the registry's. */
  updateToken?: UpdateToken;
}

/** The keys of an OAuth 1.0a client: `requestTokenUrl` set, here or as `{NAME}_REQUEST_TOKEN_URL`. */
interface OAuth1ClientConfig extends CommonConfig {
  /** OAuth 1 temporary credential endpoint; its presence makes the client OAuth 1.0a. */
  requestTokenUrl?: string;
  /** Extra parameters of the OAuth 1 temporary credential request. Default none. */
  requestTokenParams?: ExtraParams;
  /** Protocol settings. Default `{}`. */
  clientKwargs?: OAuth1ClientKwargs;
  /** Stores an OAuth 1 temporary credential elsewhere than the login transaction. Default none. */
  saveRequestToken?: SaveRequestToken;
  /** Loads what `saveRequestToken` stored. Required with `saveRequestToken`. */
  fetchRequestToken?: FetchRequestToken;
}

/**
 * One provider's configuration, keyed as Authlib's registry. Every key left out is read from the
 * environment as `{NAME}_{KEY}` in upper snake case (`EXAMPLE_CLIENT_ID`, `EXAMPLE_CLIENT_KWARGS` as JSON).
 * OAuth 1.0a when `requestTokenUrl` is set, OAuth 2 otherwise; `register` refuses a key of the other
 * protocol (the environment decides the protocol too, so the type takes the keys of both).
 */
export interface ClientConfig extends Omit<OAuth2ClientConfig, 'clientKwargs'>, Omit<OAuth1ClientConfig, 'clientKwargs'> {
  /** Protocol settings. Default `{}`. */
  clientKwargs?: ClientKwargs;
}

/** Every key either protocol takes. */
export type ClientConfigKey = keyof ClientConfig;
