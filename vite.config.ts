import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));
const demoDir = fileURLToPath(new URL('./demo/', import.meta.url));

// Tests and the demo run against package sources, so nothing needs building first:
// `@latchkey/x` -> packages/x/src/index.ts, `@latchkey/x/sub` -> packages/x/src/sub.ts.
const alias = [
  { find: /^@latchkey\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
  { find: /^@latchkey\/([a-z0-9-]+)\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/$2.ts` },
];

const nodePackages = ['common', 'oauth1', 'provider', 'bff'];
const domPackages = ['browser', 'react', 'vue'];
const unitFiles = (name: string) => [`packages/${name}/{src,test}/**/*.test.{ts,tsx}`];
const e2eFiles = ['packages/*/{src,test}/**/*.e2e.test.{ts,tsx}', 'demo/**/*.e2e.test.ts', 'interop/**/*.e2e.test.ts'];

export default defineConfig(({ mode }) => ({
  // `vite` and `vite build` at the top level serve and build the demo SPA (demo/ to demo/dist);
  // Vitest runs in mode 'test' and keeps the repository root, which its include globs are relative to.
  ...(mode === 'test' ? {} : { root: demoDir }),
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The demo page and the two binding examples (demo/bindings/react, demo/bindings/vue).
    rollupOptions: {
      input: ['index.html', 'bindings/react/index.html', 'bindings/vue/index.html'].map((page) => `${demoDir}${page}`),
    },
  },
  resolve: { alias },
  test: {
    // oidc-provider warns once per file that it prefers Node 22 and that its in-memory adapter is for quick
    // starts: both are true of a test peer on Node 20 and say nothing about a test.
    onConsoleLog: (log) => !/^oidc-provider WARNING: (Unsupported runtime|a quick start development-only in-memory adapter)/.test(log),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      ...nodePackages.map((name) => ({
        extends: true as const,
        test: { name, environment: 'node', include: unitFiles(name), exclude: e2eFiles },
      })),
      ...domPackages.map((name) => ({
        extends: true as const,
        test: {
          name,
          environment: 'happy-dom',
          include: unitFiles(name),
          exclude: e2eFiles,
          setupFiles: ['test-support/quiet-happy-dom.ts'],
        },
      })),
      {
        extends: true as const,
        // Against peers we did not write (Authlib, oidc-provider, openid-client): real servers and clients on 127.0.0.1.
        test: { name: 'interop', environment: 'node', include: ['interop/**/*.test.ts'], exclude: e2eFiles },
      },
      {
        extends: true as const,
        // Publishes every package to a local registry and builds fresh apps from them (npm, tsc, Vite, Chromium).
        test: { name: 'consumer', environment: 'node', include: ['consumer/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 },
      },
      {
        extends: true as const,
        // Headless Chromium tests: one file at a time, since each starts its own browser.
        test: { name: 'e2e', environment: 'node', include: e2eFiles, fileParallelism: false, testTimeout: 90_000 },
      },
    ],
  },
}));
