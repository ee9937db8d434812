export { createMemoryKeyValueStore, DEFAULT_MEMORY_STORE_BOUNDS } from './storage/memory-store.js';
export type { MemoryKeyValueStoreOptions } from './storage/memory-store.js';
export { RECORD_CLASSES, PENDING_KEY_PREFIXES, NONCE_KEY_PREFIXES, recordClassOf } from './storage/record-class.js';
export type { RecordClass } from './storage/record-class.js';
export { StorageFullError } from './storage/storage-full-error.js';
export type { KeyValueStore } from './storage/key-value-store.js';
export { createUserDirectory } from './accounts/user-directory.js';
export type { UserAccount, UserDirectory, UserDirectoryOptions, UserWithPassword } from './accounts/user-directory.js';
export { GRANT_TYPES, REGISTERED_CLIENT_AUTH_METHODS, isPublicClient } from './clients/client-record.js';
export type { ClientRecord, GrantType, OAuth1ClientSettings, RegisteredClientAuthMethod } from './clients/client-record.js';
export { createClientRegistry, DEFAULT_CLIENT_SCOPES } from './clients/client-registry.js';
export type { ClientInput, ClientRegistry } from './clients/client-registry.js';
export { createProvider } from './create-provider.js';
export type { Provider } from './create-provider.js';
export { DEFAULT_FEATURES, DEFAULT_LIFETIMES } from './options.js';
export type {
  LogoutTokenDeliveryOptions,
  DpopOptions,
  ProviderFeatures,
  ProviderLifetimes,
  ProviderOptions,
  SigningKeyInput,
} from './options.js';
export type { ProviderContext, ProviderEvent, ProviderState, ResourceAuth } from './provider-context.js';
export { ProtocolError, PROTOCOL_ERROR_CODES, isProtocolError } from './errors/protocol-error.js';
export type { ProtocolErrorCode, ProtocolErrorOptions } from './errors/protocol-error.js';
export { protocolErrors } from './errors/error-middleware.js';
export type { ErrorKind } from './errors/error-middleware.js';
export type { RequireOAuth2Options } from './resource/require-oauth2.js';
export { requireOAuth1, mountOAuth1Endpoints } from './oauth1/index.js';
export type { OAuth1ServerOptions } from './oauth1/options.js';
export { OAUTH1_PROBLEMS, OAuth1ProblemError, isOAuth1Problem, isOAuth1Request, revokeOAuth1Token } from './oauth1/index.js';
export type { OAuth1Problem, OAuth1ResourceState, OAuth1SecretKind } from './oauth1/index.js';
export { ENDPOINT_PATHS } from './oidc/discovery.js';
export { DPOP_SIGNING_ALGS } from './keys/dpop-signing-algs.js';
export { demoClients, DEMO_CLIENT_IDS } from './demo-clients.js';
export type { DemoClientsOptions } from './demo-clients.js';
