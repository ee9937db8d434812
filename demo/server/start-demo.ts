import Koa, { type Middleware } from 'koa';
import type { LogLevel } from 'vite';
import { DEMO_CONFIG_PATH, type DemoConfig } from '../src/demo-config.js';
import { createDemoBff } from './demo-bff.js';
import { BINDING_APPS, bindingPath, createDemoProvider } from './demo-provider.js';
import { BFF_BASE_PATH, EMBEDDED } from './embedded-names.js';
import { listenOn, type Listening } from './listen.js';
import { createSpaServer, viteMiddleware } from './spa.js';

interface DemoPorts {
  /** The SPA and the BFF, on one origin. Default 5173; 0 picks a free port. */
  app?: number;
  /** The embedded provider. Default 4000; 0 picks a free port. */
  provider?: number;
}

export interface StartDemoOptions {
  /** Ports to listen on. Default `{ app: 5173, provider: 4000 }`. */
  ports?: DemoPorts;
  /** Host to listen on and to put in URLs. Default `127.0.0.1`. */
  host?: string;
  /** Access token lifetime at the embedded provider, in seconds. Default 600. */
  accessTokenLifetime?: number;
  /** Real providers to offer through the BFF as well, e.g. `['github']`; credentials come from `env`. Default none. */
  presets?: string[];
  /** Where the presets' credentials are read from (`GITHUB_CLIENT_ID`, ...). Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Vite's log level. Default `info`. */
  logLevel?: LogLevel;
}

export interface RunningDemo {
  /** Open this: the SPA, with the BFF under `/bff`. */
  url: string;
  /** The embedded provider's issuer URL. */
  providerUrl: string;
  /** The providers registered with the BFF. */
  bffProviders: string[];
  /** Stops everything the demo started. */
  close(): Promise<void>;
}

const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/**
 * Sends `http://localhost:5173/...` to the printed `http://127.0.0.1:5173/...` (and any other host
 * name to the one in use): redirect URIs are registered for one origin, and the BFF's cookie is
 * host-only, so the page must stay on that origin.
 */
function canonicalHost(url: string): Middleware {
  const host = new URL(url).host;
  return async (ctx, next) => {
    if (ctx.host === host) return next();
    ctx.status = 307;
    ctx.redirect(`${url}${ctx.url}`);
  };
}

/**
 * Serves each binding app's page for every route under it (`/bindings/vue/profile`, `.../callback`),
 * as Vite's SPA fallback does for the main page at `/`.
 */
function bindingsFallback(): Middleware {
  const routes = BINDING_APPS.map((app) => ({ prefix: bindingPath(app), page: `${bindingPath(app)}index.html` }));
  return async (ctx, next) => {
    const route = routes.find(({ prefix }) => ctx.path.startsWith(prefix));
    // Module and asset requests (a dot in the last segment) go to Vite as they are.
    if (route && ctx.method === 'GET' && !/\.[a-z0-9]+$/i.test(ctx.path) && ctx.get('accept').includes('text/html')) {
      ctx.url = route.page + ctx.search;
    }
    await next();
  };
}

function configRoute(config: DemoConfig): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== DEMO_CONFIG_PATH) return next();
    ctx.set('cache-control', 'no-store');
    ctx.body = config;
  };
}

/**
 * Starts the embedded provider, then the SPA's origin: a Koa app with the BFF under `/bff` and Vite's
 * dev server behind it. Both servers listen before anything else happens, so a taken port fails fast
 * with a `DemoError` (`port_in_use`) and nothing is left running.
 */
export async function startDemo(options: StartDemoOptions = {}): Promise<RunningDemo> {
  const host = options.host ?? '127.0.0.1';
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const provider: Listening = await listenOn(options.ports?.provider ?? 4000, host, 'embedded provider', '--provider-port');
    stops.push(provider.close);
    const app: Listening = await listenOn(options.ports?.app ?? 5173, host, 'demo app (SPA and BFF)', '--port');
    stops.push(app.close);

    const url = `http://${urlHost(host)}:${app.port}`;
    const providerUrl = `http://${urlHost(host)}:${provider.port}`;
    const demo = await createDemoProvider({
      issuer: providerUrl,
      appOrigin: url,
      accessTokenLifetime: options.accessTokenLifetime ?? 600,
    });
    provider.handle(demo.provider.app.callback());
    const bff = createDemoBff({ demo, presets: options.presets ?? [], env: options.env ?? process.env });
    stops.push(bff.close);

    const vite = await createSpaServer(app.server, options.logLevel ?? 'info');
    stops.push(() => vite.close());
    const koa = new Koa();
    koa.use(canonicalHost(url));
    koa.use(
      configRoute({
        issuer: demo.provider.issuer,
        spaClientId: demo.spaClientId,
        bindingClientIds: demo.bindingClientIds,
        bffBasePath: BFF_BASE_PATH,
        embedded: EMBEDDED,
        apis: bff.apis,
      }),
    );
    koa.use(bff.middleware);
    koa.use(bindingsFallback());
    koa.use(viteMiddleware(vite));
    app.handle(koa.callback());
    return { url, providerUrl: demo.provider.issuer, bffProviders: bff.providers, close };
  } catch (error) {
    await close();
    throw error;
  }
}
