import type { ExtraSignatureMethods } from '@latchkey/oauth1';
import type {
  BasicAuthEncoding,
  ClientPrivateKey,
  CodeChallengeMethod,
  ComplianceFix,
  ExtraParams,
  FetchRequestToken,
  SaveRequestToken,
  ScopeDelimiter,
  SignatureType,
  TokenEndpointAuthMethod,
  TokenPlacement,
  UserInfoMapper,
} from './client-config.js';
import type { FetchToken, UpdateToken } from '../tokens/token-hooks.js';

/** `clientKwargs` of both protocols after defaults. */
interface ResolvedCommonKwargs {
  dangerouslyAllowInsecureHttp: boolean;
  timeoutMs: number;
}

/** OAuth 2 `clientKwargs` after defaults. */
export interface ResolvedOAuth2Kwargs extends ResolvedCommonKwargs {
  scope: string | undefined;
  scopeDelimiter: ScopeDelimiter;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  basicAuthEncoding: BasicAuthEncoding;
  emptyClientSecret: boolean;
  tokenPlacement: TokenPlacement;
  /** `none` only with `dangerouslyDisablePkce`. */
  codeChallengeMethod: CodeChallengeMethod | 'none';
  clientPrivateKey: ClientPrivateKey | undefined;
  /** `undefined`: push when the provider has an endpoint. */
  pushedAuthorizationRequests: boolean | undefined;
  dpop: boolean;
}

/** OAuth 1 `clientKwargs` after defaults. */
export interface ResolvedOAuth1Kwargs extends ResolvedCommonKwargs {
  signatureMethod: string;
  /** `signatureMethod` itself when it is not built in (from the registry's `extraSignatureMethods`), else empty. */
  extraSignatureMethods: ExtraSignatureMethods;
  signatureType: SignatureType;
  rsaKey: string | undefined;
}

/** `clientKwargs` after defaults. */

/**
 * How the client authenticates at the token endpoint (RFC 6749 section 2.3), with what each method was
 * checked to have: a secret for the `client_secret_*` methods (`''` with `emptyClientSecret`), a key for
 * `private_key_jwt` (RFC 7523 section 2.2).
 */
export type ResolvedClientAuth =
  | { method: 'client_secret_basic'; clientSecret: string; encoding: BasicAuthEncoding }
  | { method: 'client_secret_post'; clientSecret: string }
  | { method: 'private_key_jwt'; clientPrivateKey: ClientPrivateKey }
  | { method: 'none' };

/** Keys of both protocols, checked. */
interface ResolvedCommon {
  name: string;
  displayName: string;
  clientId: string;
  accessTokenParams: ExtraParams;
  authorizeParams: ExtraParams;
  apiBaseUrl: string | undefined;
  fetchToken: FetchToken | undefined;
  complianceFix: ComplianceFix;
  userInfo: UserInfoMapper | undefined;
}

interface ResolvedOAuth2Base extends ResolvedCommon {
  protocol: 'oauth2';
  clientSecret: string | undefined;
  clientAuth: ResolvedClientAuth;
  refreshTokenUrl: string | undefined;
  refreshTokenParams: ExtraParams;
  revokeTokenUrl: string | undefined;
  userInfoUrl: string | undefined;
  pushedAuthorizationRequestUrl: string | undefined;
  clientKwargs: ResolvedOAuth2Kwargs;
  updateToken: UpdateToken | undefined;
}

/** Endpoints come from discovery (explicit ones win), or are all given: then both are required. */
type OAuth2Endpoints =
  | { serverMetadataUrl: string; authorizeUrl: string | undefined; accessTokenUrl: string | undefined }
  | { serverMetadataUrl: undefined; authorizeUrl: string; accessTokenUrl: string };

/** An OAuth 2 / OIDC provider's configuration, checked. */
export type ResolvedOAuth2Config = ResolvedOAuth2Base & OAuth2Endpoints;

/** An OAuth 1.0a provider's configuration, checked: its three endpoints are required (RFC 5849 section 2). */
export interface ResolvedOAuth1Config extends ResolvedCommon {
  protocol: 'oauth1';
  /** Absent with RSA-SHA1, which signs with `rsaKey`. */
  clientSecret: string | undefined;
  requestTokenUrl: string;
  requestTokenParams: ExtraParams;
  authorizeUrl: string;
  accessTokenUrl: string;
  clientKwargs: ResolvedOAuth1Kwargs;
  saveRequestToken: SaveRequestToken | undefined;
  fetchRequestToken: FetchRequestToken | undefined;
}

/** A provider's configuration after the environment was read and every value checked; frozen. */
export type ResolvedClientConfig = ResolvedOAuth2Config | ResolvedOAuth1Config;
