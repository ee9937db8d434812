import { request as httpRequest, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Koa from 'koa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '@latchkey/common';
import { createBff, OAuthRegistry } from '@latchkey/bff';
import { listen, type Listening } from '../../../test-support/listen.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { Browser, captureLogger, TEST_KEYS } from './harness.js';
import { registerOAuth2Client } from './provider-clients.js';

/** A request the stand-in upstream holds open until the test decides what to answer. */
interface Held {
  req: IncomingMessage;
  res: ServerResponse;
  /** Resolves when the upstream connection closes before the answer was finished: the BFF gave up on it. */
  abandoned: Promise<void>;
}

/** Hands out the held requests of the stand-in upstream in order of arrival. */
class Arrivals {
  readonly #queue: Held[] = [];
  readonly #waiting: ((held: Held) => void)[] = [];

  add(req: IncomingMessage, res: ServerResponse): void {
    const abandoned = new Promise<void>((resolve) => res.once('close', () => res.writableFinished || resolve()));
    const held = { req, res, abandoned };
    const waiter = this.#waiting.shift();
    if (waiter === undefined) this.#queue.push(held);
    else waiter(held);
  }

  next(): Promise<Held> {
    const held = this.#queue.shift();
    return held === undefined ? new Promise((resolve) => this.#waiting.push(resolve)) : Promise.resolve(held);
  }
}

const once = <T>(emitter: NodeJS.EventEmitter, event: string) => new Promise<T>((resolve) => emitter.once(event, resolve));

/**
 * Regression: a browser that went away before the upstream answered took the whole BFF process down
 * (the undici answer stream Koa destroyed without piping emitted an error nobody listened to). Now the
 * upstream request stops with the browser, nothing escapes as an unhandled error, and the next call is
 * served. Over real HTTP: the BFF on 127.0.0.1, a stand-in API that holds its answers, a real login.
 */
describe('a browser that leaves in the middle of a proxied call', () => {
  let provider: TestProvider;
  let upstream: Listening;
  let bffServer: Listening;
  let browser: Browser;
  const arrivals = new Arrivals();
  const { lines, logger } = captureLogger();
  /** The BFF's end of each browser connection, by the browser's port (accepted before or after the browser sees it connect). */
  const bffSockets = new Map<number, Socket>();
  const socketWaiters = new Map<number, (socket: Socket) => void>();
  const bffSocketFor = (port: number) =>
    bffSockets.has(port)
      ? Promise.resolve(bffSockets.get(port) as Socket)
      : new Promise<Socket>((resolve) => socketWaiters.set(port, resolve));
  const uncaught: unknown[] = [];
  const recordUncaught = (error: unknown) => void uncaught.push(error);

  beforeAll(async () => {
    process.on('uncaughtException', recordUncaught);
    process.on('unhandledRejection', recordUncaught);
    provider = await startTestProvider();
    upstream = await listen((req, res) => {
      if (req.url?.startsWith('/hold/')) return arrivals.add(req, res);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ served: req.url }));
    });
    let handler: ReturnType<Koa['callback']> | undefined;
    bffServer = await listen((req, res) => handler?.(req, res));
    bffServer.server.on('connection', (socket: Socket) => {
      const port = socket.remotePort as number;
      bffSockets.set(port, socket);
      socket.once('close', () => bffSockets.delete(port));
      socketWaiters.get(port)?.(socket);
      socketWaiters.delete(port);
    });
    const registry = new OAuthRegistry({ dangerouslyAllowInsecureHttp: true, env: {}, logger });
    await registerOAuth2Client(provider, registry, bffServer.url, 'api', {
      clientId: 'bff-client-abort',
      config: { apiBaseUrl: `${upstream.url}/` },
    });
    const app = new Koa();
    app.silent = true;
    app.use(createBff({ registry, keys: TEST_KEYS }));
    handler = app.callback();
    browser = new Browser(bffServer.url);
    await browser.login('api');
  });
  afterEach(() => {
    // Each test starts clean, so one failure does not spill into the next.
    expect(uncaught.splice(0)).toEqual([]);
    expect(lines.splice(0).filter((line) => line.level === 'error')).toEqual([]);
  });
  afterAll(async () => {
    process.off('uncaughtException', recordUncaught);
    process.off('unhandledRejection', recordUncaught);
    await bffServer?.close();
    await upstream?.close();
    await provider?.close();
  });

  /** Starts a proxied GET the test can abort, on a connection of its own. */
  function proxiedCall(path: string): { request: ClientRequest; bffSide: Promise<Socket>; response: Promise<IncomingMessage> } {
    const { hostname, port } = new URL(bffServer.url);
    const request = httpRequest({
      hostname,
      port,
      path: `/bff/api/api/${path}`,
      agent: false,
      headers: { cookie: browser.cookieHeader(), [CSRF_HEADER]: CSRF_HEADER_VALUE },
    });
    request.on('error', () => undefined);
    request.end();
    const bffSide = once<Socket>(request, 'socket').then(async (socket) => {
      if (socket.localPort === undefined) await once(socket, 'connect');
      return bffSocketFor(socket.localPort as number);
    });
    return { request, bffSide, response: once<IncomingMessage>(request, 'response') };
  }

  /** The BFF is still up: the next call goes through. */
  async function nextCallServed() {
    const response = await browser.fetch('/bff/api/api/after', { csrf: true });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ served: '/after' });
  }

  it('stops the upstream request when the browser leaves before any answer', async () => {
    const call = proxiedCall('hold/before-headers');
    const held = await arrivals.next();
    call.request.destroy();
    await held.abandoned;
    await nextCallServed();
  });

  it('survives an upstream answer that arrives just as the browser leaves', async () => {
    const call = proxiedCall('hold/answer-on-close');
    const held = await arrivals.next();
    const bffSide = await call.bffSide;
    // The answer is sent the moment the BFF's end of the browser's connection closes.
    bffSide.once('close', () => {
      if (!held.res.destroyed) held.res.end(JSON.stringify({ late: true }));
    });
    call.request.destroy();
    await once(bffSide, 'close');
    await nextCallServed();
  });

  it('stops a streamed upstream answer when the browser leaves in the middle of it', async () => {
    const call = proxiedCall('hold/streamed');
    const held = await arrivals.next();
    // No Content-Length: the answer is streamed to the browser as it comes.
    held.res.writeHead(200, { 'content-type': 'text/plain' });
    held.res.write('first part ');
    const response = await call.response;
    await once(response, 'data');
    call.request.destroy();
    await held.abandoned;
    await nextCallServed();
  });

  it('stops an upstream answer of known length when the browser leaves before it is complete', async () => {
    const call = proxiedCall('hold/sized');
    const held = await arrivals.next();
    held.res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2048' });
    await new Promise<void>((resolve) => held.res.write(Buffer.alloc(1024, 0x20), () => resolve()));
    call.request.destroy();
    await held.abandoned;
    await nextCallServed();
  });
});
