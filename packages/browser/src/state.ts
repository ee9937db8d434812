/**
 * `@latchkey/browser/state`: a client's session as an observable store (`getSnapshot`, `subscribe`)
 * with the actions that change it, for UI bindings. Kept off the main entry so apps without it ship
 * none of it.
 */
export { createAuthState } from './state/auth-state.js';
export type { AuthState, AuthStateStore } from './state/auth-state.js';
export { createBffState } from './state/bff-state.js';
export type { BffSession, BffState, BffStateStore } from './state/bff-state.js';
export type { Observable } from './state/observable.js';
