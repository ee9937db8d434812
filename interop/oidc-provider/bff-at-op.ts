import { randomBytes } from 'node:crypto';
import Koa from 'koa';
import { expect } from 'vitest';
import { createBff, OAuthRegistry, type CreateBffOptions, type LogFields } from '@latchkey/bff';
import { listen } from '../../test-support/listen.js';
import { ALICE } from '../../test-support/provider.js';
import type { HttpBrowser } from './http-browser.js';
import { startOidcProvider, type StartOpOptions, type StartedOp } from './op.js';

interface LogLine {
  message: string;
  fields: LogFields | undefined;
}

export interface BffAtOp {
  op: StartedOp;
  /** The BFF's origin. */
  url: string;
  registry: OAuthRegistry;
  /** Everything the registry and the BFF logged, in order. */
  logs: LogLine[];
  /**
   * Alice logs in with `provider` by the OP's own forms: from `/bff/login/<provider>` through the OP's
   * interaction page back to the BFF's callback. Returns where the BFF sent the browser first (the OP's
   * authorization URL) and last (the callback's redirect).
   */
  login(browser: HttpBrowser, provider: string, returnTo?: string): Promise<{ authorizeUrl: URL; location: string | null }>;
  close(): Promise<void>;
}

interface BffAtOpOptions {
  /** The OP's clients and features; their redirect URIs name the BFF's origin, known before the OP starts. */
  op(bffUrl: string): StartOpOptions;
  /** Registers the BFF's providers, once the OP's issuer is known. */
  register(registry: OAuthRegistry, issuer: string): void;
  /** More of createBff's options (the registry and the cookie keys are given). */
  bff?: Omit<CreateBffOptions, 'registry' | 'keys'>;
  /** The app's own routes, after the BFF's. */
  routes?: (registry: OAuthRegistry) => Koa.Middleware;
}

/** oidc-provider and a Koa app with the BFF on 127.0.0.1, each on its own port, the BFF a client of the OP. */
export async function startBffAtOp(options: BffAtOpOptions): Promise<BffAtOp> {
  let handler: ReturnType<Koa['callback']> | undefined;
  const server = await listen((req, res) => void handler?.(req, res));
  const op = await startOidcProvider(options.op(server.url));
  const logs: LogLine[] = [];
  const log = (message: string, fields?: LogFields) => void logs.push({ message, fields });
  const registry = new OAuthRegistry({
    dangerouslyAllowInsecureHttp: true,
    env: {},
    logger: { debug: log, info: log, warn: log, error: log },
  });
  options.register(registry, op.issuer);
  const app = new Koa();
  app.silent = true;
  app.use(createBff({ ...options.bff, registry, keys: [randomBytes(32).toString('base64url')] }));
  if (options.routes) app.use(options.routes(registry));
  handler = app.callback();

  return {
    op,
    url: server.url,
    registry,
    logs,
    async login(browser, provider, returnTo) {
      const query = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
      const start = await browser.fetch(`${server.url}/bff/login/${provider}${query}`);
      expect(start.status).toBe(302);
      const authorizeUrl = new URL(start.headers.get('location') ?? '');
      const interaction = await browser.followUntil(authorizeUrl.href, server.url);
      expect(interaction.url).toMatch(`${op.issuer}/interaction/`);
      const form = (await interaction.response?.text()) ?? '';
      const resume = await browser.submitForm(interaction.url, form, {
        username: ALICE.username,
        password: ALICE.password,
        decision: 'allow',
      });
      const { url: callback } = await browser.followUntil(resume, server.url);
      const done = await browser.fetch(callback);
      return { authorizeUrl, location: done.headers.get('location') };
    },
    async close() {
      await server.close();
      await registry.close();
      await op.close();
    },
  };
}
