import type { Context } from 'koa';
import { CSRF_HEADER, CSRF_HEADER_VALUE, ConfigurationError } from '@latchkey/common';
import { BffError } from '../errors.js';

/** The origin this request was addressed to (Koa 3's `ctx.origin` is the `Origin` header instead). */
export function requestOrigin(ctx: Context): string {
  return `${ctx.protocol}://${ctx.host}`;
}

/**
 * The CSRF check of every state-changing route and proxied call: the custom header (a cross-site form
 * cannot send it, and a cross-site `fetch` setting it needs a preflight the BFF never grants), an
 * allowed `Origin` when the browser sends one, and `Sec-Fetch-Site` when sent: `same-origin`, or
 * `same-site` from an origin the app allowed by name.
 */
export function checkCsrf(ctx: Context, allowedOrigins: ReadonlySet<string> | undefined): void {
  // Node's own header map, as `ctx.get` reads it, without its name lower-casing on every call.
  const headers = ctx.req.headers;
  if (headers[CSRF_HEADER] !== CSRF_HEADER_VALUE) {
    throw new BffError('csrf_rejected', `The ${CSRF_HEADER} header is required.`);
  }
  const origin = headers.origin ?? '';
  // Without a configured list, only the BFF's own origin is allowed.
  const allowed = origin !== '' && (allowedOrigins === undefined ? origin === requestOrigin(ctx) : allowedOrigins.has(origin));
  if (origin !== '' && !allowed) {
    throw new BffError('origin_rejected', 'Requests from that origin are not accepted.');
  }
  const site = headers['sec-fetch-site'] ?? '';
  const namedSibling = site === 'same-site' && allowed && allowedOrigins !== undefined;
  if (site !== '' && site !== 'same-origin' && !namedSibling) {
    throw new BffError('csrf_rejected', 'Cross-site requests are not accepted.');
  }
}

/** Normalizes configured origins (`https://app.example/` -> `https://app.example`). */
export function normalizeOrigins(origins: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (origins === undefined) return undefined;
  return new Set(
    origins.map((origin) => {
      let url: URL;
      try {
        url = new URL(origin);
      } catch (cause) {
        throw new ConfigurationError('allowedOrigins', 'allowedOrigins must be absolute origins such as https://app.example.', { cause });
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new ConfigurationError('allowedOrigins', 'allowedOrigins must be http: or https: origins.');
      }
      return url.origin;
    }),
  );
}
