import { BffError } from '../errors.js';

// Whitespace and control characters (a tab before `//` lets a URL parser leave the host), backslashes
// (read as `/` by WHATWG URL parsers) and `@` (userinfo) have no place in a proxied path.
const FORBIDDEN_RAW = /[\u0000-\u0020\u007f\\@]/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

const reject = (reason: string) =>
  new BffError('invalid_proxy_path', 'That API path is not allowed.', { cause: new Error(reason) });

/** Percent-encodes a decoded segment for a path (RFC 3986 section 3.3), keeping sub-delims readable. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%(2[146-9ABC]|3[ABD])/gi, (match) => decodeURIComponent(match));
}

/**
 * Joins a raw (still percent-encoded) path under `base` by validated segments, never with
 * `new URL(path, base)`, then checks the result is still under the base. Refuses dot segments in any
 * encoding, encoded slashes and backslashes, double encoding, empty segments, absolute URLs and scheme
 * changes, `@`, and whitespace or control characters. `rawQuery` is appended unchanged after the same
 * character check.
 */
export function joinUnderBase(base: URL, rawPath: string, rawQuery = ''): URL {
  if (FORBIDDEN_RAW.test(rawPath) || FORBIDDEN_RAW.test(rawQuery)) throw reject('forbidden character');
  if (rawQuery.includes('#')) throw reject('fragment');
  if (SCHEME.test(rawPath)) throw reject('scheme');
  const rawSegments = rawPath === '' ? [] : rawPath.split('/');
  const segments: string[] = [];
  rawSegments.forEach((raw, index) => {
    const last = index === rawSegments.length - 1;
    if (raw === '') {
      // Only a trailing slash is allowed; `//` would start an authority after a join.
      if (last && index > 0) segments.push('');
      else throw reject('empty segment');
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch (cause) {
      throw new BffError('invalid_proxy_path', 'That API path is not allowed.', { cause });
    }
    if (decoded === '.' || decoded === '..') throw reject('dot segment');
    // After decoding: a slash or backslash was encoded, `%` means double encoding, `@` userinfo, and
    // control characters. An encoded space is fine: the segment is re-encoded below.
    if (/[/\\%@\u0000-\u001f\u007f]/.test(decoded)) throw reject('encoded delimiter');
    segments.push(encodeSegment(decoded));
  });

  const basePath = base.pathname.endsWith('/') ? base.pathname.slice(0, -1) : base.pathname;
  const joinedPath = segments.length === 0 ? `${basePath}/` : `${basePath}/${segments.join('/')}`;
  const url = new URL(`${base.origin}${joinedPath}${rawQuery === '' ? '' : `?${rawQuery}`}`);
  if (url.origin !== base.origin || !(url.pathname === `${basePath}/` || url.pathname.startsWith(`${basePath}/`))) {
    throw reject('left the base');
  }
  if (url.pathname !== joinedPath) throw reject('normalized');
  return url;
}
