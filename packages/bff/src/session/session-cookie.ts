import type { Context } from 'koa';
import { ConfigurationError } from '@latchkey/common';
import { requestCookie } from '../http/request-cookie.js';

export interface SessionCookieOptions {
  /** Cookie name; `__Host-` is prepended when the cookie is `Secure`. Default `latchkey`. */
  name?: string;
  /**
   * Idle lifetime in milliseconds: a session not used for this long ends. Using it (any BFF route but
   * the proxy) once half of it has passed renews it. Default 86400000 (one day).
   */
  maxAgeMs?: number;
  /**
   * Absolute lifetime in milliseconds, from the login that made the session: it ends then however
   * much it is used, and the user logs in again. Default 604800000 (one week).
   */
  absoluteMaxAgeMs?: number;
  /**
   * Serves `http://localhost`, `http://127.0.0.1` and `http://[::1]` with a cookie that is not `Secure`
   * (and so cannot carry the `__Host-` prefix), for local development. Default true.
   */
  allowInsecureLoopback?: boolean;
}

export interface ResolvedCookie {
  /** The mode of a request over TLS: `Secure`, `__Host-` prefixed. */
  secure: CookieMode;
  /** The mode of plain HTTP on a loopback host, for development. */
  loopback: CookieMode;
  maxAgeMs: number;
  absoluteMaxAgeMs: number;
  allowInsecureLoopback: boolean;
}

/** How a request's session cookie is written, or `null` when the BFF must refuse plain HTTP. */
export interface CookieMode {
  readonly name: string;
  readonly secure: boolean;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
/** Session ids are 32 random bytes in base64url. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function resolveCookie(options: SessionCookieOptions = {}): ResolvedCookie {
  const name = options.name ?? 'latchkey';
  if (!NAME.test(name) || name.toLowerCase().startsWith('__host-') || name.toLowerCase().startsWith('__secure-')) {
    throw new ConfigurationError('cookie.name', 'cookie.name must be 1-64 letters, digits, "_", "." or "-", without a prefix.');
  }
  const maxAgeMs = options.maxAgeMs ?? 86_400_000;
  if (!Number.isInteger(maxAgeMs) || maxAgeMs < 60_000) {
    throw new ConfigurationError('cookie.maxAgeMs', 'cookie.maxAgeMs must be a whole number of milliseconds, at least 60000.');
  }
  const absoluteMaxAgeMs = options.absoluteMaxAgeMs ?? 604_800_000;
  if (!Number.isInteger(absoluteMaxAgeMs) || absoluteMaxAgeMs < 60_000) {
    throw new ConfigurationError(
      'cookie.absoluteMaxAgeMs',
      'cookie.absoluteMaxAgeMs must be a whole number of milliseconds, at least 60000.',
    );
  }
  return Object.freeze({
    // Made once: every request uses one of the two.
    secure: Object.freeze({ name: `__Host-${name}`, secure: true }),
    loopback: Object.freeze({ name, secure: false }),
    maxAgeMs,
    absoluteMaxAgeMs,
    allowInsecureLoopback: options.allowInsecureLoopback !== false,
  });
}

/**
 * `Secure` with the `__Host-` prefix (host-only, path `/`) whenever the request came over TLS (behind a
 * TLS-terminating proxy, set `app.proxy = true`); relaxed only for plain HTTP on a loopback host.
 */
export function cookieModeOf(ctx: Context, cookie: ResolvedCookie): CookieMode | null {
  if (ctx.secure) return cookie.secure;
  if (cookie.allowInsecureLoopback && LOOPBACK_HOSTS.has(ctx.hostname)) return cookie.loopback;
  return null;
}

/** The session id the browser sent, if it has the shape of one. */
export function readSessionId(ctx: Context, mode: CookieMode): string | undefined {
  const value = requestCookie(ctx.req.headers, mode.name);
  return value !== undefined && SESSION_ID_PATTERN.test(value) ? value : undefined;
}

/** The attributes the session cookie is written and cleared with: a browser only clears a cookie set the same way. */
function sessionCookieAttributes(mode: CookieMode) {
  return { path: '/', httpOnly: true, secure: mode.secure, sameSite: 'lax', signed: false, overwrite: true } as const;
}

/** Sets the session cookie for what is left of the session's life (Max-Age, so the browser's clock does not matter). */
export function writeSessionCookie(ctx: Context, mode: CookieMode, id: string, maxAgeMs: number): void {
  ctx.cookies.set(mode.name, id, { ...sessionCookieAttributes(mode), maxAge: maxAgeMs });
}

export function clearSessionCookie(ctx: Context, mode: CookieMode): void {
  ctx.cookies.set(mode.name, '', { ...sessionCookieAttributes(mode), expires: new Date(0) });
}
