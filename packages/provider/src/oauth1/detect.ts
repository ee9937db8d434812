import type { Context } from 'koa';
import { OAuth1ProblemError } from './problem.js';
import { readFormBody } from './read-request.js';

const DEFAULT_MAX_BODY_BYTES = 65_536;

/**
 * Whether a request is OAuth 1.0a signed, in any of the three placements of RFC 5849 section 3.5:
 * an `Authorization: OAuth` header, `oauth_consumer_key` in the query, or in a form body. A form
 * body is read (bounded) and left on `ctx.state.rawBody`, so a resource serving both protocols can
 * dispatch before authenticating.
 */
export async function isOAuth1Request(ctx: Context, maxBodyBytes = DEFAULT_MAX_BODY_BYTES): Promise<boolean> {
  if (/^OAuth\s/i.test(ctx.get('authorization'))) return true;
  if (new URLSearchParams(ctx.querystring).has('oauth_consumer_key')) return true;
  if (ctx.get('authorization') !== '' || !ctx.request.is('application/x-www-form-urlencoded')) return false;
  try {
    return new URLSearchParams((await readFormBody(ctx, maxBodyBytes)) ?? '').has('oauth_consumer_key');
  } catch (error) {
    // An unreadable or oversized body is not a signed request; the other protocol's checks refuse it.
    if (error instanceof OAuth1ProblemError) return false;
    throw error;
  }
}
