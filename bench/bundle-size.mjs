// Bundle size of the browser SDK as an app ships it: Vite library mode, minified, ES2022, every
// dependency (oauth4webapi, idb-keyval, @latchkey/common) bundled in. Prints raw and gzipped bytes.
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = `${root}packages/`;

const ENTRIES = [
  { name: 'typical use (createAuthClient + login + handleCallback + getAccessToken + fetch)', file: 'typical.js', budget: 12 * 1024 },
  { name: 'createBffClient alone (@latchkey/browser/bff)', file: 'bff-only.js', budget: 2 * 1024 - 1 },
];

async function bundle(file) {
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    root,
    resolve: {
      alias: [
        { find: /^@latchkey\/([a-z0-9-]+)$/, replacement: `${packages}$1/src/index.ts` },
        { find: /^@latchkey\/([a-z0-9-]+)\/([a-z0-9-]+)$/, replacement: `${packages}$1/src/$2.ts` },
      ],
    },
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      // Library mode keeps whitespace in ES output (for the consumer's tree shaking); an app's build
      // minifies it away, so the output is minified fully here to measure what ships.
      rolldownOptions: { output: { minify: true } },
      lib: { entry: fileURLToPath(new URL(`./bundle-size/${file}`, import.meta.url)), formats: ['es'], fileName: 'bundle' },
    },
  });
  const results = Array.isArray(output) ? output : [output];
  const chunks = results.flatMap((result) => result.output).filter((item) => item.type === 'chunk');
  const code = chunks.map((chunk) => chunk.code).join('\n');
  return { raw: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length, modules: chunks.flatMap((c) => Object.keys(c.modules)) };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
let failed = false;
for (const entry of ENTRIES) {
  const { raw, gzip, modules } = await bundle(entry.file);
  const within = gzip <= entry.budget;
  failed ||= !within;
  console.log(`${entry.name}\n  raw ${raw} B (${kb(raw)}), gzip ${gzip} B (${kb(gzip)}), budget ${kb(entry.budget)}: ${within ? 'ok' : 'OVER'}`);
  if (process.argv.includes('--modules')) for (const id of modules) console.log(`    ${id.replace(root, '')}`);
}
process.exitCode = failed ? 1 : 0;
