// `npm run demo`: loads the demo's TypeScript server (demo/server/cli.ts) through Vite's SSR module
// loader, with the same `@latchkey/x` -> packages/x/src aliases as the tests, so nothing needs
// building first. Everything runs in this one process; Ctrl-C (SIGINT) or SIGTERM stops it all.
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const loader = await createServer({
  configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
  root: fileURLToPath(new URL('.', import.meta.url)),
  mode: 'development',
  appType: 'custom',
  logLevel: 'error',
  server: { middlewareMode: true, hmr: false, ws: false, watch: null },
  optimizeDeps: { noDiscovery: true, include: [] },
});

let result;
try {
  const { runDemoCli } = await loader.ssrLoadModule('/server/cli.ts');
  result = await runDemoCli(process.argv.slice(2), process.env, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
} catch (error) {
  await loader.close();
  throw error;
}

if (!result.ok) {
  await loader.close();
  process.exitCode = result.exitCode;
} else {
  let stopping = false;
  const stop = (signal) => {
    // A second Ctrl-C while closing gives up waiting.
    if (stopping) process.exit(130);
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the demo.\n`);
    result.demo
      .close()
      .then(() => loader.close())
      .then(
        () => process.exit(0),
        (error) => {
          console.error(error);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
