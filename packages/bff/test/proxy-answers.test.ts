import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BFF_ERROR_HEADER, CSRF_HEADER, CSRF_HEADER_VALUE } from '@latchkey/common';
import { listen, type Listening } from '../../../test-support/listen.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type Browser, type TestBff } from './harness.js';
import { registerOAuth2Client } from './provider-clients.js';

/** 100 KiB of a repeating pattern: longer than the answers the proxy reads whole. */
const LARGE = Buffer.from('0123456789abcdef'.repeat(6400));

/**
 * How upstream answers travel back: small answers of known length are read whole and written at once,
 * anything else is streamed as it comes. Either way the browser gets the upstream's status, length and
 * bytes, or a typed error when the upstream breaks off before anything was sent.
 */
describe('upstream answers through the proxy', () => {
  let provider: TestProvider;
  let upstream: Listening;
  let bff: TestBff;
  let browser: Browser;
  /** Releases the rest of the event stream once the browser has seen its first event. */
  let releaseEvents: () => void = () => undefined;

  beforeAll(async () => {
    provider = await startTestProvider();
    upstream = await listen((req, res) => {
      req.resume();
      if (req.url === '/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
        res.write('data: first\n\n');
        releaseEvents = () => res.end('data: second\n\n');
      } else if (req.url === '/large') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(LARGE.length) });
        res.end(LARGE);
      } else if (req.url === '/cut-short') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"partial":', () => res.destroy());
      } else if (req.url === '/sized') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11', 'x-upstream': 'yes' });
        res.end(req.method === 'HEAD' ? undefined : '{"ok":true}');
      } else if (req.url === '/empty') {
        res.writeHead(204, { 'x-upstream': 'yes' });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    bff = await startBff({
      async register(registry, bffUrl) {
        await registerOAuth2Client(provider, registry, bffUrl, 'api', {
          clientId: 'bff-answers',
          config: { apiBaseUrl: `${upstream.url}/` },
        });
      },
    });
    browser = bff.browser();
    await browser.login('api');
  });
  afterAll(async () => {
    await bff?.close();
    await upstream?.close();
    await provider?.close();
  });

  it('passes a small answer of known length with its status and headers', async () => {
    const response = await browser.fetch('/bff/api/api/sized', { csrf: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('11');
    expect(response.headers.get('x-upstream')).toBe('yes');
    expect(await response.json()).toEqual({ ok: true });
  });

  it('answers HEAD with the upstream Content-Length and no body', async () => {
    const response = await browser.fetch('/bff/api/api/sized', { method: 'HEAD', csrf: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('11');
    expect(await response.text()).toBe('');
  });

  it('passes an empty 204 answer', async () => {
    const response = await browser.fetch('/bff/api/api/empty', { csrf: true });
    expect(response.status).toBe(204);
    expect(response.headers.get('x-upstream')).toBe('yes');
  });

  it('streams a long answer byte for byte', async () => {
    const response = await browser.fetch('/bff/api/api/large', { csrf: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(LARGE.length));
    expect(Buffer.from(await response.text(), 'latin1').equals(LARGE)).toBe(true);
  });

  it('streams an answer of unknown length as it comes (server-sent events)', async () => {
    const response = await fetch(`${bff.url}/bff/api/api/events`, {
      headers: { cookie: browser.cookieHeader(), [CSRF_HEADER]: CSRF_HEADER_VALUE },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    // The upstream holds the second event until the browser has the first one.
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: first\n\n');
    releaseEvents();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest).toBe('data: second\n\n');
  });

  it('answers upstream_error when a small answer is cut short before anything was sent', async () => {
    const response = await browser.fetch('/bff/api/api/cut-short', { csrf: true });
    expect(response.status).toBe(502);
    expect(response.headers.get(BFF_ERROR_HEADER)).toBe('upstream_error');
  });
});
