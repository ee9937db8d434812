import type { Context } from 'koa';
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '@latchkey/common';
import { BffError } from '../errors.js';

/**
 * The CSRF check of every state-changing route and proxied call: the custom header (a cross-site form
 * cannot send it, and a cross-site `fetch` setting it needs a preflight the BFF never grants), an
 * allowed `Origin` when the browser sends one, and `Sec-Fetch-Site: same-origin` when sent.
 */
export function checkCsrf(ctx: Context, allowedOrigins: ReadonlySet<string> | undefined): void {
  if (ctx.get(CSRF_HEADER) !== CSRF_HEADER_VALUE) {
    throw new BffError('csrf_rejected', `The ${CSRF_HEADER} header is required.`);
  }
  const origin = ctx.get('origin');
  if (origin !== '') {
    const allowed = allowedOrigins === undefined ? origin === ctx.origin : allowedOrigins.has(origin);
    if (!allowed) throw new BffError('origin_rejected', 'Requests from that origin are not accepted.');
  }
  const site = ctx.get('sec-fetch-site');
  if (site !== '' && site !== 'same-origin') {
    throw new BffError('csrf_rejected', 'Cross-site requests are not accepted.');
  }
}

/** Normalizes configured origins (`https://app.example/` -> `https://app.example`). */
export function normalizeOrigins(origins: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (origins === undefined) return undefined;
  return new Set(origins.map((origin) => new URL(origin).origin));
}
