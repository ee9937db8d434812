import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';
import { createServer, type LogLevel, type ViteDevServer } from 'vite';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const demoRoot = fileURLToPath(new URL('../', import.meta.url));

/** The npm packages the pages import: through @latchkey/browser, and React and Vue for demo/bindings/. */
const SPA_DEPENDENCIES = [
  'oauth4webapi',
  'idb-keyval',
  'react',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'react-dom/client',
  'vue',
  'vue-router',
];

/**
 * The Vite dev server for the SPA in middleware mode: it serves `demo/index.html` and the sources
 * (with `@latchkey/x` mapped to `packages/x/src` by the top-level vite.config.ts), and puts its
 * hot-reload websocket on the app's own HTTP server, so the page, the BFF and HMR share one origin.
 */
export function createSpaServer(server: Server, logLevel: LogLevel): Promise<ViteDevServer> {
  return createServer({
    configFile: `${repositoryRoot}vite.config.ts`,
    root: demoRoot,
    mode: 'development',
    appType: 'spa',
    logLevel,
    clearScreen: false,
    server: { middlewareMode: true, hmr: { server } },
    // The SPA's dependencies, named up front: the optimizer bundles them at start instead of
    // discovering them on first load and reloading the page halfway through a login.
    optimizeDeps: { noDiscovery: true, include: SPA_DEPENDENCIES },
    // Vue's bundler build expects its feature flags to be set by the bundler.
    define: { __VUE_OPTIONS_API__: 'true', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' },
  });
}

/** Hands every request that reaches it to Vite (pages, modules, the SPA fallback for /callback). */
export function viteMiddleware(vite: ViteDevServer): Middleware {
  return (ctx) => {
    ctx.respond = false;
    vite.middlewares(ctx.req, ctx.res, () => {
      ctx.res.statusCode = 404;
      ctx.res.end();
    });
  };
}
