import { request as httpRequest } from 'node:http';
import Koa from 'koa';
import { expect } from 'vitest';
import { BFF_ERROR_HEADER, CSRF_HEADER, CSRF_HEADER_VALUE } from '@latchkey/common';
import { createBff, OAuthRegistry, type CreateBffOptions, type LogFields, type OAuthRegistryOptions } from '@latchkey/bff';
import { listen, type Listening } from '../../../test-support/listen.js';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';

export const TEST_KEYS = ['bff-test-key-0123456789abcdef0123456789abcdef'];

/** One recorded log line. */
interface LogLine {
  level: string;
  message: string;
  fields: LogFields | undefined;
}

export function captureLogger() {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) => void lines.push({ level, message, fields });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

export interface TestBff {
  /** `http://127.0.0.1:port` */
  url: string;
  registry: OAuthRegistry;
  app: Koa;
  logs: LogLine[];
  /** A browser: a cookie jar and manual redirects. */
  browser(): Browser;
  close(): Promise<void>;
}

export interface StartBffOptions {
  registry?: Omit<OAuthRegistryOptions, 'logger'>;
  bff?: Omit<CreateBffOptions, 'registry' | 'keys'> & { keys?: CreateBffOptions['keys'] };
  /** Registers providers once the BFF's URL is known (redirect URIs name it). */
  register(registry: OAuthRegistry, bffUrl: string): void | Promise<void>;
  /** Extra middleware mounted after the BFF (the app's own routes). */
  appRoutes?: Koa.Middleware;
}

/** Starts a Koa app with the BFF on 127.0.0.1 (listening first, since redirect URIs carry its port). */
export async function startBff(options: StartBffOptions): Promise<TestBff> {
  let handler: Koa['callback'] extends () => infer H ? H | undefined : never;
  const server: Listening = await listen((req, res) => {
    if (handler) return handler(req, res);
    res.statusCode = 503;
    res.end();
  });
  const { lines, logger } = captureLogger();
  const registry = new OAuthRegistry({ dangerouslyAllowInsecureHttp: true, env: {}, ...options.registry, logger });
  await options.register(registry, server.url);
  const app = new Koa();
  app.silent = true;
  app.use(createBff({ keys: TEST_KEYS, ...options.bff, registry }));
  if (options.appRoutes) app.use(options.appRoutes);
  handler = app.callback();
  return {
    url: server.url,
    registry,
    app,
    logs: lines,
    browser: () => new Browser(server.url),
    async close() {
      await server.close();
      await registry.close();
    },
  };
}

/** A minimal browser: keeps cookies per name (host-only, one site), never follows redirects itself. */
export class Browser {
  readonly cookies = new Map<string, string>();
  /** Every response this browser received, for leak checks. */
  readonly responses: { status: number; headers: [string, string][]; body: string }[] = [];

  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async fetch(path: string, init: RequestInit & { csrf?: boolean } = {}): Promise<Response & { text(): Promise<string> }> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && !headers.has('cookie')) headers.set('cookie', this.cookieHeader());
    if (init.csrf) headers.set(CSRF_HEADER, CSRF_HEADER_VALUE);
    const { csrf: _csrf, ...rest } = init;
    const response = await fetch(new URL(path, this.base), { ...rest, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const body = await response.text();
    this.responses.push({ status: response.status, headers: [...response.headers], body });
    return Object.assign(response, { text: async () => body, json: async () => JSON.parse(body) as unknown });
  }

  /** GET /bff/login/:provider; returns the provider URL it redirects to. */
  async startLogin(provider: string, returnTo?: string): Promise<string> {
    const query = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
    const response = await this.fetch(`/bff/login/${provider}${query}`);
    expect(response.status).toBe(302);
    return response.headers.get('location') as string;
  }

  /** A full login: BFF login route, the provider's form, the BFF callback. Returns the callback's answer. */
  async login(provider: string, options: { returnTo?: string; decision?: 'allow' | 'deny' } = {}) {
    const authorizeUrl = await this.startLogin(provider, options.returnTo);
    const answer = await submitAuthorizeForm(authorizeUrl, { decision: options.decision ?? 'allow' });
    expect(answer.location).not.toBeNull();
    const callback = answer.location as string;
    const response = await this.fetch(callback);
    return { response, callback, location: response.headers.get('location') };
  }

  async session() {
    const response = await this.fetch('/bff/session');
    return (await response.json()) as import('@latchkey/common').BffSessionResponse;
  }
}

export interface RawResponse {
  status: number;
  headers: import('node:http').IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP request with the path sent byte for byte: `fetch` would normalize `..`, backslashes and
 * encodings before the BFF ever saw them, which is exactly what traversal tests must not allow.
 */
export function rawRequest(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined && !options.chunked) headers['content-length'] = String(Buffer.byteLength(options.body));
    const request = httpRequest({ hostname, port, path, method: options.method ?? 'GET', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    if (options.body !== undefined) request.write(options.body);
    request.end();
  });
}

/** A stand-in upstream API that records every request it receives. */
export interface RecordingUpstream {
  url: string;
  requests: { method: string; url: string; headers: import('node:http').IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** `/slow/*` never answers; `/set-cookie` answers with cookies and a forged BFF error marker; the rest echo. */
export async function startRecordingUpstream(): Promise<RecordingUpstream> {
  const requests: RecordingUpstream['requests'] = [];
  const server = await listen((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (req.url?.startsWith('/slow/')) return;
    req.resume();
    req.on('end', () => {
      if (req.url?.includes('/set-cookie')) {
        res.setHeader('set-cookie', ['upstream=1; Path=/', 'other=2']);
        res.setHeader(BFF_ERROR_HEADER, 'csrf_rejected');
      }
      res.setHeader('x-upstream', 'yes');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, url: req.url }));
    });
  });
  return { url: server.url, requests, close: () => server.close() };
}
