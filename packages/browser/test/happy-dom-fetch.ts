/**
 * happy-dom 21's `Response.clone()` loses the body of a small response that has already arrived (it
 * pipes a Node stream that has ended), so `response.clone().json()` -- which oauth4webapi uses to
 * read OAuth error bodies -- sees an empty body. Real browsers do not. The page's fetch is wrapped to
 * hand back responses whose body is already buffered, which happy-dom clones correctly. The requests
 * still go over real HTTP to the real provider.
 */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export function bufferResponsesInHappyDom(): void {
  const marker = Symbol.for('latchkey.test.bufferedFetch');
  const current = globalThis.fetch as typeof fetch & { [marker]?: true };
  if (current[marker]) return;
  const buffered = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await current(input, init);
    const body = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer();
    const copy = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    Object.defineProperty(copy, 'url', { value: response.url });
    return copy;
  };
  Object.defineProperty(buffered, marker, { value: true });
  globalThis.fetch = buffered as typeof fetch;
}
