import { BffError } from '../errors.js';

/**
 * The methods an API is called with. Anything else is refused before a token is attached: `TRACE`
 * (and `TRACK`) would echo the request, bearer token included (RFC 9110 section 9.3.8), and `CONNECT`
 * asks for a tunnel, not an API call.
 */
const PROXIED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type ProxiedMethod = (typeof PROXIED_METHODS)[number];

const ALLOWED: ReadonlySet<string> = new Set(PROXIED_METHODS);

/** The `Allow` header of a `405` answer (RFC 9110 section 15.5.6). */
export const ALLOW_HEADER = PROXIED_METHODS.join(', ');

/** Refuses a method the proxy does not carry with `method_not_allowed` (405). */
export function checkProxiedMethod(method: string): void {
  if (!ALLOWED.has(method)) throw new BffError('method_not_allowed', 'That method is not proxied.');
}
