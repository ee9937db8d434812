/**
 * RFC 5849 section 3.4.1.3.2: parameter normalization. Names and values are encoded (section 3.6),
 * sorted by name, then by value for equal names, and joined as `name=value` pairs with `&`.
 */
import { percentEncode } from './percent-encoding.js';

/** Request parameters in order of appearance; a name may appear more than once. */
export type ParameterList = Array<[name: string, value: string]>;

// Encoded strings are ASCII, so code-unit order is the byte order the RFC asks for.
function ascending(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The normalized parameter string; `oauth_signature` is never part of it (section 3.4.1.3.1). */
export function normalizeParameters(params: ParameterList): string {
  return params
    .filter(([name]) => name !== 'oauth_signature')
    .map(([name, value]): [string, string] => [percentEncode(name), percentEncode(value)])
    .sort(([nameA, valueA], [nameB, valueB]) => ascending(nameA, nameB) || ascending(valueA, valueB))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}
