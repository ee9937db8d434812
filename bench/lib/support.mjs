// test-support/ is TypeScript that Vitest loads for the tests. The benchmarks load it through Vite's
// module runner, so they start the provider, play its login form and launch Chromium exactly as the
// tests do. The @latchkey packages stay external: they are imported natively from their built dist/,
// so what is measured is the code that ships, not a transformed copy.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer, createServerModuleRunner } from 'vite';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ours = readdirSync(`${ROOT}packages`).map((name) => `@latchkey/${name}`);

let loading;

function runner() {
  loading ??= (async () => {
    const server = await createServer({
      configFile: false,
      root: ROOT,
      logLevel: 'silent',
      appType: 'custom',
      server: { middlewareMode: true, hmr: false, ws: false },
      ssr: { external: ours },
    });
    return { server, runner: createServerModuleRunner(server.environments.ssr, { hmr: false }) };
  })();
  return loading;
}

/** Imports a TypeScript module of the repository (a path from the root, e.g. `test-support/provider.ts`). */
export async function importTs(path) {
  return (await runner()).runner.import(`${ROOT}${path}`);
}

/** Stops the module runner and its Vite server (a no-op when nothing was imported). */
export async function closeSupport() {
  if (!loading) return;
  const { server, runner: moduleRunner } = await loading;
  loading = undefined;
  await moduleRunner.close();
  await server.close();
}
