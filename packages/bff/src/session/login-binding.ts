import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { requestCookie } from '../http/request-cookie.js';
import { SESSION_ID_PATTERN, type CookieMode } from './session-cookie.js';

/**
 * Binds login transactions to the browser that started them (RFC 6749 section 10.12) with a cookie of
 * its own, apart from the session: a random value, `HttpOnly`, `SameSite=Lax` (sent on the top-level
 * redirect back from the provider; `Strict` would not be), living as long as a login may take. Logins
 * started while one is pending share the value, so the session id changing when the first completes
 * (against fixation) does not orphan the others: two tabs, a double click, or linking a second provider
 * all complete. It also means an anonymous login start writes no session.
 */
const cookieName = (mode: CookieMode) => `${mode.name}-login`;

const attributes = (mode: CookieMode) =>
  ({ path: '/', httpOnly: true, secure: mode.secure, sameSite: 'lax', signed: false, overwrite: true }) as const;

/** What a transaction records: a hash of the cookie's value, so the store never holds the value itself. */
const bindingOf = (value: string) => createHash('sha256').update(value).digest('base64url');

function readValue(ctx: Context, mode: CookieMode): string | undefined {
  const value = requestCookie(ctx.req.headers, cookieName(mode));
  return value !== undefined && SESSION_ID_PATTERN.test(value) ? value : undefined;
}

/**
 * Keeps (or makes) the browser's login-binding cookie for another `ttlMs`, and returns its binding; `renew`
 * makes a new value even when the browser has one.
 */
export function bindLogin(ctx: Context, mode: CookieMode, ttlMs: number, renew = false): string {
  const value = (renew ? undefined : readValue(ctx, mode)) ?? randomBytes(32).toString('base64url');
  ctx.cookies.set(cookieName(mode), value, { ...attributes(mode), maxAge: ttlMs });
  return bindingOf(value);
}

/** This browser's binding, without making or extending its cookie; `undefined` when it has none. */
export function currentBinding(ctx: Context, mode: CookieMode): string | undefined {
  const value = readValue(ctx, mode);
  return value === undefined ? undefined : bindingOf(value);
}

/** True when this browser's login-binding cookie is the one `binding` was made from. */
export function isBoundHere(ctx: Context, mode: CookieMode, binding: string): boolean {
  const value = readValue(ctx, mode);
  if (value === undefined) return false;
  const mine = Buffer.from(bindingOf(value));
  const theirs = Buffer.from(binding);
  return mine.length === theirs.length && timingSafeEqual(mine, theirs);
}

/** Ends every login this browser has pending (logout). */
export function clearLoginBinding(ctx: Context, mode: CookieMode): void {
  if (requestCookie(ctx.req.headers, cookieName(mode)) === undefined) return;
  ctx.cookies.set(cookieName(mode), '', { ...attributes(mode), expires: new Date(0) });
}
