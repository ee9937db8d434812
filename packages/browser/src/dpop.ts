// `@latchkey/browser/dpop`: sender-constrained tokens (RFC 9449), on their own entry so that apps without
// them ship none of this code.
export { createDPoP } from './dpop/create-dpop.js';
export type { DPoPBinding } from './dpop/binding.js';
export type { DPoPKey } from './session/dpop-key.js';
