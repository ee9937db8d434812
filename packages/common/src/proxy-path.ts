/**
 * The one rule for a segment of a path proxied under a provider's API base, shared by the BFF's proxy
 * and the browser SDK's `createBffClient().fetch`, so the SDK never sends what the BFF would refuse and
 * the browser's URL parser never resolves a segment into another BFF route.
 */

/**
 * A dot segment (RFC 3986 section 3.3), decoded: `.` or `..`, also with servlet path parameters
 * (`..;jsessionid=x`), which Tomcat-style servers strip before they resolve `..`.
 */
export function isDotSegment(decoded: string): boolean {
  const end = decoded.indexOf(';');
  const name = end === -1 ? decoded : decoded.slice(0, end);
  return name === '.' || name === '..';
}

/**
 * One raw (percent-encoded) path segment in its shortest percent-encoding, or `undefined` when it is
 * refused: invalid percent-encoding, a dot segment in any encoding (WHATWG URL parsers read `%2e` as
 * `.`), an encoded or raw slash or backslash, `%` after decoding (double encoding), `@` (userinfo), and
 * control characters (a URL parser drops tabs and newlines, so `.\t.` would become `..`).
 */
export function proxyPathSegment(raw: string): string | undefined {
  try {
    const decoded = decodeURIComponent(raw);
    if (isDotSegment(decoded) || /[/\\%@\u0000-\u001f\u007f]/.test(decoded)) return undefined;
    // Sub-delims and ':' stay readable (RFC 3986 section 3.3); encodeURIComponent throws on a lone surrogate.
    return encodeURIComponent(decoded).replace(/%(2[146-9ABC]|3[ABD])/g, decodeURIComponent);
  } catch {
    return undefined;
  }
}
