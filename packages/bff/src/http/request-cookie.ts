import type { IncomingHttpHeaders } from 'node:http';

/** Characters a cookie name must escape inside a pattern, as the `cookies` package escapes them. */
const PATTERN_SPECIALS = /[\^$\\.*+?()[\]{}|]/g;

/** Patterns by cookie name: an app reads a few names, each on many requests. */
const patterns = new Map<string, RegExp>();

function patternOf(name: string): RegExp {
  let pattern = patterns.get(name);
  if (pattern === undefined) {
    pattern = new RegExp(`(?:^|;) *${name.replace(PATTERN_SPECIALS, '\\$&')}=([^;]*)`);
    patterns.set(name, pattern);
  }
  return pattern;
}

/**
 * The value of cookie `name` in the request's `Cookie` header, read as `ctx.cookies.get(name, { signed: false })`
 * reads it (the first `name=` at the start or after a `;`, surrounding quotes removed), without the
 * `Cookies` object Koa builds for every request that touches `ctx.cookies`.
 */
export function requestCookie(headers: IncomingHttpHeaders, name: string): string | undefined {
  const header = headers.cookie;
  if (!header) return undefined;
  const value = patternOf(name).exec(header)?.[1];
  if (value === undefined) return undefined;
  return value[0] === '"' ? value.slice(1, -1) : value;
}
