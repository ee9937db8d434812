import Koa from 'koa';
import { expect } from 'vitest';
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '@latchkey/common';
import { createBff, OAuthRegistry, type CreateBffOptions, type LogFields, type OAuthRegistryOptions } from '@latchkey/bff';
import { listen, type Listening } from '../../../test-support/listen.js';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';

export const TEST_KEYS = ['bff-test-key-0123456789abcdef0123456789abcdef'];

/** One recorded log line. */
export interface LogLine {
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
