import type { ScopeDelimiter } from '../config/client-config.js';

/**
 * Reads a scope list. RFC 6749 section 3.3 delimits scope tokens with spaces, and a token never holds
 * whitespace; a provider that joins them with commas instead (Facebook, GitHub's token answers) is
 * configured with `scopeDelimiter: ','`, and its lists are split on commas as well as whitespace, so
 * `a,b`, `a b` and `a, b` read the same. With the space delimiter a comma is part of the token, as
 * section 3.3 allows.
 */
export function parseScope(value: string, delimiter: ScopeDelimiter): string[] {
  const separator = delimiter === ',' ? /[\s,]+/ : /\s+/;
  return value.split(separator).filter((token) => token !== '');
}

/** The `scope` parameter of an authorization request, joined the provider's way. */
export function formatScope(scopes: readonly string[], delimiter: ScopeDelimiter): string {
  return scopes.join(delimiter);
}
