/** `@latchkey/browser/bff`: the BFF client alone, without oauth4webapi or IndexedDB. */
export { createBffClient } from './bff/bff-client.js';
export type { BffClient, BffClientOptions, BffLoginOptions, BffLogoutOptions } from './bff/bff-client.js';
export { BffClientError } from './bff/bff-error.js';
export type { BffErrorCodeOrNetwork } from './bff/bff-error.js';
