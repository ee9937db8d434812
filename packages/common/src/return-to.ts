/**
 * The one `returnTo` rule (no open redirect), applied by the SDK before it navigates and by the BFF before
 * it redirects after a login. A `returnTo` is checked as the path the browser will follow, not as text.
 */

/** The origin paths are resolved against where there is none to compare with. */
const PLACEHOLDER_ORIGIN = 'http://latchkey.invalid';
/** Backslashes count as slashes and URL parsing drops tabs and newlines, so both are refused outright. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\\\x00-\x1f\x7f]/;
/** A decoded path another reader could take for an absolute URL: `//evil`, `/https:evil`. */
const ABSOLUTE = /^\/(\/|[a-z][a-z0-9+.-]*:)/i;

/** `value` percent-decoded three times over, as a chain of decoders would read it. */
function decodeThrice(value: string): string {
  let decoded = value;
  for (let round = 0; round < 3; round += 1) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      break;
    }
  }
  return decoded;
}

/**
 * The normalized path (with query and fragment) the browser follows for `value` on `origin`, or `null` when
 * it could leave it. A path or an absolute URL of `origin` is accepted; `''` is the root, `/`. Refused: `//evil`, `/\\evil`, control
 * characters, `/.//evil`, and encoded forms of any of these (`/%2F%2Fevil`, even encoded twice).
 */
export function sameOriginPath(value: unknown, origin: string): string | null {
  // Decoding keeps every raw character, so this refuses them raw and in any encoding.
  if (typeof value !== 'string' || UNSAFE.test(decodeThrice(value))) return null;
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  const path = url.pathname + url.search + url.hash;
  // `/.//evil` is same-origin as a URL, but its normalized path starts with `//`.
  return ABSOLUTE.test(decodeThrice(path)) ? null : path;
}

/** `sameOriginPath` where there is no origin to compare with (the BFF): a path only, or `''` for `/`. */
export function sameSitePath(value: unknown): string | null {
  return value === '' || (typeof value === 'string' && value.startsWith('/')) ? sameOriginPath(value, PLACEHOLDER_ORIGIN) : null;
}

/** `path` (as `sameOriginPath` returns it) with `params` set in its query, keeping its fragment. */
export function withQueryParams(path: string, params: Readonly<Record<string, string>>): string {
  const url = new URL(path, PLACEHOLDER_ORIGIN);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.pathname + url.search + url.hash;
}
