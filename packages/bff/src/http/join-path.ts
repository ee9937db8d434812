import { isDotSegment, proxyPathSegment } from '@latchkey/common';
import { BffError } from '../errors.js';

// Whitespace and control characters (a tab before `//` lets a URL parser leave the host), backslashes
// (read as `/` by WHATWG URL parsers) and `@` (userinfo) have no place in a proxied path.
const FORBIDDEN_IN_PATH = /[\u0000-\u0020\u007f\\@]/;
// In the query, `@` is an ordinary character that browsers send unencoded (WHATWG URL keeps it there).
const FORBIDDEN_IN_QUERY = /[\u0000-\u0020\u007f\\]/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
/**
 * Segments of only unreserved characters, sub-delims and `:` (RFC 3986 section 3.3), without `%`: they
 * decode to themselves and `proxyPathSegment` gives them back unchanged, so they skip both.
 */
const PLAIN_PATH = /^[A-Za-z0-9._~!$&'()*+,;=:/-]*$/;
/** Query characters a WHATWG URL parser keeps as they are: every printable one but `"#'<>` (and those refused above). */
const PLAIN_QUERY = /^[A-Za-z0-9!$%&()*+,\-./:;=?@[\]^_`{|}~]*$/;

const reject = (reason: string) => new BffError('invalid_proxy_path', 'That API path is not allowed.', { cause: new Error(reason) });

/**
 * One raw segment, checked and normalized to its shortest percent-encoding by the rule the browser SDK
 * shares (`proxyPathSegment` of `@latchkey/common`): dot segments in any encoding, also with servlet
 * path parameters (`..;x`, which Tomcat-style upstreams resolve as `..`), encoded slashes and
 * backslashes, double encoding, `@` and control characters are refused.
 */
function checkedSegment(raw: string, plain: boolean): string {
  if (plain) {
    // A plain segment decodes to itself; only a dot segment (with or without `;params`) is refused.
    if (raw.charCodeAt(0) === 46 && isDotSegment(raw)) throw reject('dot segment');
    return raw;
  }
  const segment = proxyPathSegment(raw);
  if (segment === undefined) throw reject('segment');
  return segment;
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
 * encoding (with `;params` too), encoded slashes and backslashes, double encoding, empty segments,
 * absolute URLs and scheme changes, `@` in the path, and whitespace or control characters. `rawQuery` is
 * appended unchanged after the same character check (`@` allowed). The base's origin and path are read
 * once, here. A path of plain segments with a plain query is left unparsed: by construction it stays
 * under the base.
 *
 * The final check after parsing is defence in depth: for a base a URL parser made, the segment rules
 * above already leave nothing it could catch (test/join-path.test.ts tries a corpus of tricks to show
 * that, and reaches the check with a base no parser makes).
 */
export function createPathJoiner(base: Pick<URL, 'origin' | 'pathname'>): PathJoiner {
  const origin = base.origin;
  const basePath = base.pathname.endsWith('/') ? base.pathname.slice(0, -1) : base.pathname;
  const root = `${basePath}/`;
  return (rawPath, rawQuery = '') => {
    if (FORBIDDEN_IN_PATH.test(rawPath) || FORBIDDEN_IN_QUERY.test(rawQuery)) throw reject('forbidden character');
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
