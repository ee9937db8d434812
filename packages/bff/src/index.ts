export { createBff } from './create-bff.js';
export type { CreateBffOptions, LoginInfo, OnLogin } from './bff/options.js';
export type { BackchannelLogoutOptions } from './logout/backchannel-options.js';
export { OAuthRegistry } from './registry/registry.js';
export type { OAuthRegistryOptions } from './registry/registry.js';
export {
  BASIC_AUTH_ENCODINGS,
  CODE_CHALLENGE_METHODS,
  SCOPE_DELIMITERS,
  SIGNATURE_TYPES,
  TOKEN_ENDPOINT_AUTH_METHODS,
  TOKEN_PLACEMENTS,
} from './config/client-config.js';
export type {
  BasicAuthEncoding,
  ClientConfig,
  ClientKwargs,
  ClientPrivateKey,
  CodeChallengeMethod,
  ComplianceFix,
  ExtraParams,
  FetchRequestToken,
  HookContext,
  ProtectedRequest,
  RequestToken,
  SaveRequestToken,
  ScopeDelimiter,
  SignatureType,
  TokenEndpointAuthMethod,
  TokenPlacement,
  UserInfoInput,
  UserInfoMapper,
} from './config/client-config.js';
export { MissingConfigError } from './config/resolve-config.js';
export type { ApiCall, ApiResponse, RemoteClient, RequestOptions } from './api/remote-client.js';
export type { UpstreamPoolOptions } from './client/upstream.js';
export { BffError } from './errors.js';
export { consoleLogger, silentLogger, LOG_LEVELS } from './logger.js';
export type { BffLogger, LogFields, LogLevel } from './logger.js';
export { createMemoryStore } from './stores/memory-store.js';
export type { MemoryStoreOptions } from './stores/memory-store.js';
export type { SessionStore, TransactionCache } from './stores/session-store.js';
export { createInProcessLock } from './stores/refresh-lock.js';
export type { RefreshLock } from './stores/refresh-lock.js';
export type { SessionCookieOptions } from './session/session-cookie.js';
export type { BffSessionData, SessionConnection } from './tokens/session-data.js';
export type { OAuth1Token, OAuth2Token, OAuthToken } from './tokens/token.js';
export type { DPoPPrivateJwk } from './dpop/dpop-key.js';
export type { FetchToken, PreviousToken, UpdateToken } from './tokens/token-hooks.js';
export { userFromClaims } from './userinfo.js';
export { presets } from './presets/index.js';
export type {
  Auth0Options,
  DiscordOptions,
  FacebookOptions,
  GitHubOptions,
  GitLabOptions,
  GoogleOptions,
  KeycloakOptions,
  MicrosoftOptions,
  OidcOptions,
  OktaOptions,
  PresetName,
  PresetOptions,
  RedditOptions,
} from './presets/index.js';
export {
  bearerTokenType,
  composeResponseFixes,
  errorInOkResponse,
  lenientTokenResponse,
  numericExpiresIn,
  primaryVerifiedEmail,
  spaceDelimitedScope,
  tokenResponseAsJson,
  userAgentHeader,
} from './presets/index.js';
export type { ListedEmail, ResponseFix } from './presets/index.js';
// The Redis store and lock are exported from '@latchkey/bff/redis', so that ioredis loads only where they are used.
