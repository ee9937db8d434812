/**
 * Matching a requested redirect URI against the registered ones (RFC 6749 section 3.1.2.3): exact
 * string comparison, with one exception. A native app listening on the loopback interface gets its
 * port from the operating system at run time, so for `http` loopback URIs the port is ignored
 * (RFC 8252 section 7.3, RFC 9700 section 4.1.3); scheme, host, path and query still match exactly.
 */

// `localhost` too: the provider has always accepted it as a registered redirect URI (RFC 8252
// section 8.3 prefers the IP literals, which cannot be resolved elsewhere).
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(?::([1-9][0-9]{0,4}))?([/?][^#]*)?$/;

interface LoopbackParts {
  host: string;
  /** Path and query exactly as written (`''` when the URI has neither). */
  rest: string;
}

function loopbackParts(uri: string): LoopbackParts | undefined {
  const match = LOOPBACK.exec(uri);
  if (!match) return undefined;
  const [, host = '', port, rest = ''] = match;
  if (port !== undefined && Number(port) > 65_535) return undefined;
  return { host, rest };
}

/** The registered URI the requested one matches, or `undefined`. */
export function matchRedirectUri(registered: readonly string[], requested: string): string | undefined {
  if (registered.includes(requested)) return requested;
  const asked = loopbackParts(requested);
  if (!asked) return undefined;
  return registered.find((uri) => {
    const parts = loopbackParts(uri);
    return parts !== undefined && parts.host === asked.host && parts.rest === asked.rest;
  });
}
