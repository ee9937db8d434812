import type { Context } from 'koa';
import type { Dispatcher } from 'undici';

/** Answers that declare a length up to this many bytes are read whole before anything is written. */
const BUFFERED_ANSWER_BYTES = 65_536;

/**
 * Redirect statuses (Fetch, "redirect status"): with a `Location`, a browser follows them and never shows
 * their body to the page, so the body (often the redirect target, quoted) is dropped.
 */
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Whether the answer is read whole: a declared length within the bound, or no body at all. */
function readWhole(ctx: Context, upstream: Dispatcher.ResponseData): boolean {
  if (ctx.method === 'HEAD' || upstream.statusCode === 204 || upstream.statusCode === 304) return true;
  const declared = upstream.headers['content-length'];
  return typeof declared === 'string' && Number(declared) <= BUFFERED_ANSWER_BYTES;
}

/**
 * Writes the upstream answer to the browser's response directly, past Koa's own streaming, whose
 * `stream.pipeline` costs an AbortController and a thrown exception per answer. A small answer of
 * known length is read whole and leaves with its headers in one write; a failure while reading it
 * rejects before anything was written, so the browser still gets a typed error. A redirect leaves
 * without its body. Anything longer or of unknown length (server-sent events, downloads) is piped as it
 * comes; cut short by the upstream, the browser's response is cut short too.
 */
export async function sendAnswer(
  ctx: Context,
  upstream: Dispatcher.ResponseData,
  headers: Record<string, string | string[]>,
): Promise<void> {
  const res = ctx.res;
  if (REDIRECTS.has(upstream.statusCode) && headers.location !== undefined) {
    await upstream.body.dump();
    headers['content-length'] = '0';
    res.writeHead(upstream.statusCode, headers);
    ctx.respond = false;
    res.end();
    return;
  }
  const body = readWhole(ctx, upstream) ? await upstream.body.bytes() : undefined;
  // Koa steps aside only once the head is accepted: a header Node refuses still gets a typed error.
  res.writeHead(upstream.statusCode, headers);
  ctx.respond = false;
  if (body !== undefined) {
    res.end(body);
    return;
  }
  upstream.body.once('error', () => res.destroy());
  upstream.body.pipe(res);
}
