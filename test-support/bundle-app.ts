import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const packages = fileURLToPath(new URL('../packages/', import.meta.url));

/** Bundles a test page's script (and the SDK from source) with Vite's JS API, as an app's build would. */
export async function bundleApp(entry: URL): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    resolve: {
      alias: [
        { find: /^@latchkey\/([a-z0-9-]+)$/, replacement: `${packages}$1/src/index.ts` },
        { find: /^@latchkey\/([a-z0-9-]+)\/([a-z0-9-]+)$/, replacement: `${packages}$1/src/$2.ts` },
      ],
    },
    build: {
      write: false,
      minify: false,
      target: 'es2022',
      lib: { entry: fileURLToPath(entry), formats: ['es'], fileName: 'app' },
    },
  });
  const results = Array.isArray(output) ? output : [output];
  const chunk = results.flatMap((result) => ('output' in result ? result.output : [])).find((item) => item.type === 'chunk');
  if (chunk?.type !== 'chunk') throw new Error('Vite produced no chunk');
  return chunk.code;
}
