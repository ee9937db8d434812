import { BffError } from '../errors.js';

// Whitespace and control characters (a tab before `//` lets a URL parser leave the host), backslashes
// (read as `/` by WHATWG URL parsers) and `@` (userinfo) have no place in a proxied path.
const FORBIDDEN_RAW = /[\u0000-\u0020\u007f\\@]/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
/**
 * Segments of only unreserved characters, sub-delims and `:` (RFC 3986 section 3.3), without `%`: they
 * decode to themselves and `encodeSegment` gives them back unchanged, so they skip both.
 */
const PLAIN_PATH = /^[A-Za-z0-9._~!$&'()*+,;=:/-]*$/;
/** Query characters a WHATWG URL parser keeps as they are: every printable one but `"#'<>` (and those refused above). */
const PLAIN_QUERY = /^[A-Za-z0-9!$%&()*+,\-./:;=?[\]^_`{|}~]*$/;

const reject = (reason: string) =>
  new BffError('invalid_proxy_path', 'That API path is not allowed.', { cause: new Error(reason) });

/** Percent-encodes a decoded segment for a path (RFC 3986 section 3.3), keeping sub-delims readable. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%(2[146-9ABC]|3[ABD])/gi, (match) => decodeURIComponent(match));
}

/** One raw segment, checked and normalized to its percent-encoded form. */
function checkedSegment(raw: string, plain: boolean): string {
  if (plain) {
    if (raw === '.' || raw === '..') throw reject('dot segment');
    return raw;
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
  return encodeSegment(decoded);
}

/** Where a call goes: the API's origin and the joined path with its query, as sent upstream. */
export interface ApiTarget {
  /** `https://api.example` */
  origin: string;
  /** `/v1/items?page=1` */
  path: string;
}

/** Joins a raw path and query under one base URL; see `createPathJoiner`. */
export type PathJoiner = (rawPath: string, rawQuery?: string) => ApiTarget;

/**
 * Joins raw (still percent-encoded) paths under `base` by validated segments, never with
 * `new URL(path, base)`, then checks the result is still under the base. Refuses dot segments in any
 * encoding, encoded slashes and backslashes, double encoding, empty segments, absolute URLs and scheme
 * changes, `@`, and whitespace or control characters. `rawQuery` is appended unchanged after the same
 * character check. The base's origin and path are read once, here. A path of plain segments with a
 * plain query is left unparsed: by construction it stays under the base.
 */
export function createPathJoiner(base: URL): PathJoiner {
  const origin = base.origin;
  const basePath = base.pathname.endsWith('/') ? base.pathname.slice(0, -1) : base.pathname;
  const root = `${basePath}/`;
  return (rawPath, rawQuery = '') => {
    if (FORBIDDEN_RAW.test(rawPath) || FORBIDDEN_RAW.test(rawQuery)) throw reject('forbidden character');
    if (rawQuery.includes('#')) throw reject('fragment');
    if (SCHEME.test(rawPath)) throw reject('scheme');
    const plain = PLAIN_PATH.test(rawPath);
    let joinedPath = basePath;
    if (rawPath === '') joinedPath = root;
    else {
      const rawSegments = rawPath.split('/');
      const last = rawSegments.length - 1;
      for (let index = 0; index <= last; index++) {
        const raw = rawSegments[index] as string;
        // Only a trailing slash is allowed; `//` would start an authority after a join.
        if (raw === '' && (index !== last || index === 0)) throw reject('empty segment');
        joinedPath += `/${raw === '' ? '' : checkedSegment(raw, plain)}`;
      }
    }
    const path = rawQuery === '' ? joinedPath : `${joinedPath}?${rawQuery}`;
    // Plain segments and query are already what a URL parser would make of them, under the base.
    if (plain && PLAIN_QUERY.test(rawQuery)) return { origin, path };
    const url = new URL(`${origin}${path}`);
    if (url.origin !== origin || !url.pathname.startsWith(root)) throw reject('left the base');
    if (url.pathname !== joinedPath) throw reject('normalized');
    return { origin, path: `${url.pathname}${url.search}` };
  };
}
