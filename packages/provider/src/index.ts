export { createMemoryStore } from './storage/memory-store.js';
export type { MemoryStoreOptions } from './storage/memory-store.js';
export type { KeyValueStore } from './storage/key-value-store.js';
export { createUserDirectory } from './accounts/user-directory.js';
export type { UserAccount, UserDirectory, UserDirectoryOptions, UserWithPassword } from './accounts/user-directory.js';
export { GRANT_TYPES, TOKEN_ENDPOINT_AUTH_METHODS, isPublicClient } from './clients/client-record.js';
export type { ClientRecord, GrantType, OAuth1ClientSettings, TokenEndpointAuthMethod } from './clients/client-record.js';
