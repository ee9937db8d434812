import type { IncomingHttpHeaders } from 'node:http';
import { BFF_ERROR_HEADER } from '@latchkey/common';

/**
 * Request headers the proxy forwards upstream; everything else is dropped, notably `Cookie`, the
 * browser's `Authorization`, `Host`, forwarding headers and hop-by-hop headers (RFC 9110 section 7.6.1).
 */
export const FORWARDED_REQUEST_HEADERS = [
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

export function forwardedRequestHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = incoming[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

/** The header names a `Connection` header lists, which are hop-by-hop too (RFC 9110 section 7.6.1). */
function connectionOptions(connection: string | string[]): Set<string> {
  const names = (Array.isArray(connection) ? connection.join(',') : connection).split(',');
  return new Set(names.map((name) => name.trim().toLowerCase()).filter(Boolean));
}

/** Upstream response headers safe to return, minus those named in the upstream's own `Connection` header. */
export function returnedResponseHeaders(upstream: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const connection = upstream.connection;
  const named = connection === undefined ? undefined : connectionOptions(connection);
  const headers: Record<string, string | string[]> = {};
  for (const name of Object.keys(upstream)) {
    const value = upstream[name];
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(lower) || named?.has(lower) === true) continue;
    headers[lower] = value;
  }
  return headers;
}
