import type { IncomingHttpHeaders } from 'node:http';
import { BFF_ERROR_HEADER } from '@latchkey/common';

/**
 * Request headers the proxy forwards upstream; everything else is dropped, notably `Cookie`, the
 * browser's `Authorization`, `Host`, forwarding headers and hop-by-hop headers (RFC 9110 section 7.6.1).
 */
const FORWARDED_REQUEST_HEADERS = [
  'accept',
  'accept-language',
  'cache-control',
  'content-language',
  'content-type',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-range',
  'if-unmodified-since',
  'range',
  'user-agent',
] as const;

/** Response headers never passed back: hop-by-hop ones, `Set-Cookie` (upstream cookies stay upstream), and the BFF's own error marker. */
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'set-cookie',
  'set-cookie2',
  BFF_ERROR_HEADER,
]);

/** The header names a `Connection` header lists, which are hop-by-hop too (RFC 9110 section 7.6.1). */
function connectionOptions(connection: string | string[]): Set<string> {
  const names = (Array.isArray(connection) ? connection.join(',') : connection).split(',');
  return new Set(names.map((name) => name.trim().toLowerCase()).filter(Boolean));
}

/** The usual `Connection` values, which name no other header. */
const PLAIN_CONNECTION = /^\s*(?:keep-alive|close)\s*$/i;

/** The allow-listed request headers, minus any the request's own `Connection` header names (RFC 9110 section 7.6.1). */
export function forwardedRequestHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const connection = incoming.connection;
  const named = connection === undefined || PLAIN_CONNECTION.test(connection) ? undefined : connectionOptions(connection);
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = incoming[name];
    if (typeof value === 'string' && named?.has(name) !== true) headers[name] = value;
  }
  return headers;
}

/** Comma-separated list members, with commas inside quoted strings kept (RFC 9110 section 5.6.1). */
function listMembers(value: string): string[] {
  const members: string[] = [];
  let start = 0;
  let quoted = false;
  for (let index = 0; index < value.length; index++) {
    const char = value[index];
    if (quoted && char === '\\') index++;
    else if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      members.push(value.slice(start, index).trim());
      start = index + 1;
    }
  }
  members.push(value.slice(start).trim());
  return members.filter((member) => member !== '');
}

const joined = (value: string | string[]) => (Array.isArray(value) ? value.join(', ') : value);

/** A rewrite of header values remembered by value: an API sends the same few, so each is parsed once. */
function remembered(rewrite: (value: string) => string): (value: string) => string {
  const seen = new Map<string, string>();
  return (value) => {
    let result = seen.get(value);
    if (result === undefined) {
      if (seen.size >= 256) seen.clear();
      result = rewrite(value);
      seen.set(value, result);
    }
    return result;
  };
}

/**
 * `Cache-Control` of an answer made with the session's token: `private` always (RFC 9111 section
 * 5.2.2.7), so no shared cache keeps one user's answer for another; upstream `public` and a qualified
 * `private="..."` (which leaves the rest shareable) give way to it, every other directive is kept.
 */
const rewriteCacheControl = remembered((value) => {
  const kept = listMembers(value).filter((directive) => {
    const name = directive.split('=', 1)[0]?.trim().toLowerCase();
    return name !== 'public' && name !== 'private';
  });
  return ['private', ...kept].join(', ');
});

function privateCacheControl(upstream: string | string[] | undefined): string {
  return upstream === undefined ? 'private' : rewriteCacheControl(joined(upstream));
}

/** `Vary` with `Cookie` added (the answer depends on the session cookie), unless it is `*` or already there. */
const addCookieToVary = remembered((value) => {
  const names = listMembers(value).map((name) => name.toLowerCase());
  return names.includes('*') || names.includes('cookie') ? value : names.length === 0 ? 'Cookie' : `${value}, Cookie`;
});

function varyWithCookie(upstream: string | string[] | undefined): string {
  return upstream === undefined ? 'Cookie' : addCookieToVary(joined(upstream));
}

/**
 * Upstream response headers safe to return, minus those named in the upstream's own `Connection`
 * header, with `Cache-Control: private` and `Vary: Cookie`: every proxied answer was made for the
 * user whose session cookie the request carried.
 */
export function returnedResponseHeaders(upstream: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const connection = upstream.connection;
  // Most APIs answer `Connection: keep-alive`, which names no other header: nothing to parse.
  const plain = connection === undefined || (typeof connection === 'string' && PLAIN_CONNECTION.test(connection));
  const named = plain ? undefined : connectionOptions(connection);
  const headers: Record<string, string | string[]> = {};
  for (const name of Object.keys(upstream)) {
    const value = upstream[name];
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(lower) || named?.has(lower) === true) continue;
    headers[lower] = value;
  }
  headers['cache-control'] = privateCacheControl(headers['cache-control']);
  headers.vary = varyWithCookie(headers.vary);
  return headers;
}
