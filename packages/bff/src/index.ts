export { createBff } from './bff/create-bff.js';
export type { CreateBffOptions, LoginInfo, OnLogin } from './bff/options.js';
export { OAuthRegistry } from './registry/registry.js';
export type { OAuthRegistryOptions, ProviderRuntime } from './registry/registry.js';
export {
  CODE_CHALLENGE_METHODS,
  SIGNATURE_TYPES,
  TOKEN_ENDPOINT_AUTH_METHODS,
  TOKEN_PLACEMENTS,
} from './config/client-config.js';
export type {
  ClientConfig,
  ClientKwargs,
  ClientPrivateKey,
  CodeChallengeMethod,
  ComplianceFix,
  ExtraParams,
  FetchRequestToken,
  FetchToken,
  HookContext,
  PreviousToken,
  ProtectedRequest,
  RequestToken,
  SaveRequestToken,
  SignatureType,
  TokenEndpointAuthMethod,
  TokenPlacement,
  UpdateToken,
  UserInfoInput,
  UserInfoMapper,
} from './config/client-config.js';
export { envVarName, MissingConfigError, resolveClientConfig } from './config/resolve-config.js';
export type { ResolvedClientConfig, ResolvedKwargs, ResolveOptions } from './config/resolve-config.js';
export { bindToken } from './client/remote-client.js';
export type { ApiCall, ApiResponse, RemoteClient, RequestOptions } from './client/remote-client.js';
export type { UpstreamPoolOptions } from './client/upstream.js';
export { BffError, bffErrorStatus } from './errors.js';
export { consoleLogger, silentLogger, LOG_LEVELS } from './logger.js';
export type { BffLogger, LogFields, LogLevel } from './logger.js';
export { createMemoryStore } from './stores/memory-store.js';
export type { MemoryStoreOptions } from './stores/memory-store.js';
export type { SessionStore, TransactionCache } from './stores/session-store.js';
export { createInProcessLock } from './stores/refresh-lock.js';
export type { RefreshLock } from './stores/refresh-lock.js';
export type { SessionCookieOptions } from './session/session-cookie.js';
export type { BffSessionData, SessionConnection } from './session/session-data.js';
export type { BffState, SessionBridge } from './session/session-bridge.js';
export type { OAuth1Token, OAuth2Token, OAuthToken } from './tokens/token.js';
export { userFromClaims } from './userinfo.js';
