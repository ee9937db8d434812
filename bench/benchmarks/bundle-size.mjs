// Browser bundle size: the same task (create a client, start a login redirect, handle the callback,
// get an access token, make an authenticated fetch) written with each library, bundled as an app
// ships it: Vite library mode, minified, tree-shaken, ES2022, every dependency bundled in.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'vite';
import { formatBytes, formatRatio } from '../lib/stats.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const packages = `${root}packages/`;
const entry = (file) => fileURLToPath(new URL(`../bundle-size/${file}`, import.meta.url));
const version = (name) => JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')).version;

const OURS = { name: '@latchkey/browser', file: 'latchkey.js', packages: ['@latchkey/browser'] };
// Typical use with DPoP-bound tokens (RFC 9449): createDPoP() from its own entry, which typical use does not import.
const DPOP = { name: '@latchkey/browser + /dpop (typical use + DPoP)', file: 'latchkey-dpop.js', packages: ['@latchkey/browser'] };
const BFF_CLIENT = { name: '@latchkey/browser/bff (createBffClient)', file: 'latchkey-bff.js', packages: ['@latchkey/browser'] };
const FLOOR = { name: 'oauth4webapi + idb-keyval (by hand)', file: 'oauth4webapi-idb-keyval.js', packages: ['oauth4webapi', 'idb-keyval'] };
// `oidc`: an OpenID Connect client that checks the ID token (signature or at least iss, aud, nonce)
// and keeps the tokens itself, as ours does. @badgateway/oauth2-client is OAuth 2 only: it passes the
// id_token through unchecked and leaves token storage to the app, so it does less of the job.
const PEERS = [
  { name: 'oidc-client-ts', file: 'oidc-client-ts.js', packages: ['oidc-client-ts'], oidc: true },
  { name: '@auth0/auth0-spa-js', file: 'auth0-spa-js.js', packages: ['@auth0/auth0-spa-js'], oidc: true },
  { name: '@azure/msal-browser', file: 'msal-browser.js', packages: ['@azure/msal-browser'], oidc: true },
  { name: '@badgateway/oauth2-client', file: 'badgateway-oauth2-client.js', packages: ['@badgateway/oauth2-client'], oidc: false },
];
/** Goal: within this factor of the hand-written floor. */
const FLOOR_FACTOR = 1.5;
/** Goal: what turning DPoP on may add to typical use, in gzip bytes. */
const DPOP_BUDGET = 2000;

async function bundle(file) {
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    root,
    // What an app's production build sets; some libraries drop debug code on it.
    define: { 'process.env.NODE_ENV': '"production"' },
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
      rolldownOptions: { output: { minify: true, codeSplitting: false } },
      lib: { entry: entry(file), formats: ['es'], fileName: 'bundle' },
    },
  });
  const results = Array.isArray(output) ? output : [output];
  const chunks = results.flatMap((result) => result.output).filter((item) => item.type === 'chunk');
  const code = Buffer.from(chunks.map((chunk) => chunk.code).join('\n'));
  return {
    raw: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    brotli: brotliCompressSync(code, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.length },
    }).length,
    chunks: chunks.length,
  };
}

const label = (library) =>
  library.packages[0].startsWith('@latchkey/') ? library.name : `${library.name} ${library.packages.map(version).join(' + ')}`;

export async function run({ log }) {
  const sizes = new Map();
  for (const library of [OURS, DPOP, BFF_CLIENT, FLOOR, ...PEERS]) {
    log(`bundling ${library.name}`);
    sizes.set(library, await bundle(library.file));
  }
  const ours = sizes.get(OURS);
  const ratio = (library) => ours.gzip / sizes.get(library).gzip;
  const row = (library, withRatio) => {
    const size = sizes.get(library);
    return [
      label(library),
      formatBytes(size.raw),
      formatBytes(size.gzip),
      formatBytes(size.brotli),
      withRatio ? formatRatio(ratio(library)) : '',
      withRatio ? formatRatio(ours.brotli / size.brotli) : '',
    ];
  };
  const smallerThan = (peer) => sizes.get(peer).gzip > ours.gzip && sizes.get(peer).brotli > ours.brotli;
  const oidcPeers = PEERS.filter((peer) => peer.oidc);
  const oauth2Peers = PEERS.filter((peer) => !peer.oidc);
  const floorRatio = ratio(FLOOR);
  const dpopCost = sizes.get(DPOP).gzip - ours.gzip;
  const against = (peers) => `${peers.map((peer) => `${peer.name} ${formatRatio(ratio(peer))}`).join(', ')} (ours / it, gzip)`;
  return {
    title: 'Browser bundle size',
    tables: [
      {
        columns: ['bundle', 'raw', 'gzip', 'brotli', 'ours / it (gzip)', 'ours / it (brotli)'],
        rows: [row(OURS, false), row(DPOP, false), row(BFF_CLIENT, false), row(FLOOR, true), ...PEERS.map((peer) => row(peer, true))],
      },
    ],
    goals: [
      {
        goal: 'smaller than every peer doing the same job (OIDC clients)',
        met: oidcPeers.every(smallerThan),
        detail: against(oidcPeers),
      },
      {
        goal: 'smaller than the OAuth 2-only peer (no ID-token checks, app-kept storage)',
        met: oauth2Peers.every(smallerThan),
        detail: against(oauth2Peers),
      },
      {
        goal: `within ${FLOOR_FACTOR}x of bare oauth4webapi + idb-keyval`,
        met: floorRatio <= FLOOR_FACTOR,
        detail: `${formatRatio(floorRatio)} (gzip)`,
      },
      {
        goal: `typical use + DPoP: at most ${formatBytes(DPOP_BUDGET)} gzip over typical use`,
        met: dpopCost <= DPOP_BUDGET,
        detail: `+${formatBytes(dpopCost)} gzip (${formatBytes(sizes.get(DPOP).gzip)} with DPoP, ${formatBytes(ours.gzip)} without)`,
      },
    ],
    method: [
      'Each entry in bench/bundle-size/ does the same job with one library: create the client, start a login redirect, handle the callback, get an access token, call an API with it.',
      'Bundled with Vite library mode (ES2022, minified, tree-shaken, every dependency included, process.env.NODE_ENV="production"); gzip level 9 and brotli quality 11 from node:zlib.',
      '@badgateway/oauth2-client does not check ID tokens (no nonce, iss or aud check) and leaves token storage to the app, so its entry carries that glue and it is held to its own goal row.',
      'The DPoP row is the typical-use entry with createAuthClient({ dpop: createDPoP() }) from @latchkey/browser/dpop; its goal is the difference between the two.',
      '"ours / it" is our typical-use bundle divided by that bundle: below 1.00x we are smaller. The floor is the same job hand-written on the two libraries the SDK is built on, without the SDK\'s cross-tab lock, retries, events and logout.',
    ],
  };
}
