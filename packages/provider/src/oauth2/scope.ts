import { ProtocolError } from '../errors/protocol-error.js';

// RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Splits a `scope` parameter into distinct scope tokens; a malformed token is `invalid_scope`. */
export function parseScope(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  const tokens = scope.split(' ').filter((token) => token !== '');
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) throw new ProtocolError('invalid_scope', 'The scope parameter is malformed.');
  }
  return [...new Set(tokens)];
}

/** The requested scopes when all are allowed, else `invalid_scope` (RFC 6749 sections 3.3 and 6). */
export function requireSubset(requested: string[], allowed: readonly string[], what: string): string[] {
  const extra = requested.filter((scope) => !allowed.includes(scope));
  if (extra.length > 0) {
    throw new ProtocolError('invalid_scope', `The requested scope exceeds what ${what}.`);
  }
  return requested;
}

export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}

/** Descriptions shown on the consent page. */
export function describeScope(scope: string): string {
  switch (scope) {
    case 'openid':
      return 'know who you are';
    case 'profile':
      return 'see your name and profile picture';
    case 'email':
      return 'see your email address';
    case 'offline_access':
      return 'keep access while you are away';
    default:
      return 'use this permission';
  }
}
