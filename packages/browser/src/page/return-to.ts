/**
 * The path a browser will follow for `value` when it stays on `origin`, or `null` when it could leave
 * it (no open redirect). Checked as the browser reads it, not as text: backslashes count as slashes and
 * tabs/newlines are dropped by URL parsing, so they are refused outright; and `/.//evil.example` is
 * same-origin as a URL but normalizes to the protocol-relative `//evil.example`.
 */
export function sameOriginPath(value: unknown, origin: string = location.origin): string | null {
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value === '' || /[\\\u0000-\u001f\u007f]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value, `${origin}/`);
  } catch {
    return null;
  }
  if (url.origin !== origin || url.pathname.startsWith('//')) return null;
  return url.pathname + url.search + url.hash;
}
