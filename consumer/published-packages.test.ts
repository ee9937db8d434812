import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../test-support/chromium.js';
import { listen } from '../test-support/listen.js';
import { chromiumGate, requireService } from '../test-support/services.js';
import { requireApp, requireInstall, serverApp, spaApp, vueApp, type AppTemplate } from './support/apps.js';
import { installCommands, readmeSnippets, type Snippet } from './support/readme-snippets.js';
import { startRegistry, UPSTREAM, type LocalRegistry } from './support/registry.js';
import { appEnv, run, start, typeErrors, type Started } from './support/run.js';

// What a user of the published packages gets: every package is built, packed and published to a local
// registry (verdaccio on 127.0.0.1; @latchkey/* only from this run's tarballs, anything else from the public
// registry through it), then installed into fresh apps outside the repository that are made of the README
// snippets as written. Nothing here resolves into the monorepo.

const root = fileURLToPath(new URL('../', import.meta.url));
const PACKAGES = ['common', 'oauth1', 'browser', 'bff', 'provider', 'react', 'vue'] as const;

/** The snippets each app is made of; a marker removed from a README fails the first test. */
const EXPECTED_SNIPPETS = [
  'README.md -> bff/install-root.sh',
  'README.md -> bff/root-server.ts',
  'README.md -> spa/install-root.sh',
  'README.md -> spa/root-bff.ts',
  'README.md -> spa/root-spa.ts',
  'packages/bff/README.md -> bff/install-redis.sh',
  'packages/bff/README.md -> bff/install.sh',
  'packages/bff/README.md -> bff/presets.ts',
  'packages/bff/README.md -> bff/provider.sh',
  'packages/bff/README.md -> bff/redis-server.ts',
  'packages/bff/README.md -> bff/server.ts',
  'packages/bff/README.md -> spa/bff-readme-client.ts',
  'packages/browser/README.md -> spa/browser-bff.ts',
  'packages/browser/README.md -> spa/browser-dpop.ts',
  'packages/browser/README.md -> spa/index.html',
  'packages/browser/README.md -> spa/install-browser.sh',
  'packages/browser/README.md -> spa/main.ts',
  'packages/common/README.md -> spa/common-errors.ts',
  'packages/common/README.md -> spa/install-common.sh',
  'packages/oauth1/README.md -> bff/install-oauth1.sh',
  'packages/oauth1/README.md -> bff/oauth1-sign.ts',
  'packages/oauth1/README.md -> bff/oauth1-verify.ts',
  'packages/provider/README.md -> bff/install-provider.sh',
  'packages/provider/README.md -> bff/provider-example.ts',
  'packages/provider/README.md -> bff/provider-oauth1-consumer.ts',
  'packages/provider/README.md -> bff/provider-oauth1.ts',
  'packages/react/README.md -> spa/install-react-router.sh',
  'packages/react/README.md -> spa/install-react.sh',
  'packages/react/README.md -> spa/react-bff/app.tsx',
  'packages/react/README.md -> spa/react/main.tsx',
  'packages/react/README.md -> spa/react/routes.tsx',
  'packages/vue/README.md -> vue/bff.ts',
  'packages/vue/README.md -> vue/install.sh',
  'packages/vue/README.md -> vue/main.ts',
];

// The apps' React, Vite, Koa... come from the public registry through verdaccio: without it, CI fails here
// and a machine offline skips loudly.
const online = await fetch(new URL('-/ping', UPSTREAM), { signal: AbortSignal.timeout(10_000) }).then(
  (response) => response.ok,
  () => false,
);
const runs = requireService('The npm registry', online, `${UPSTREAM} does not answer; the apps install React, Vite and Koa from it`);

let work: string;
let registry: LocalRegistry | undefined;
let env: NodeJS.ProcessEnv;
let snippets: Snippet[];
const tarballs = new Map<string, { file: string; files: string[] }>();
const apps = new Map<string, Promise<string>>();
const processes: Started[] = [];
let chromium: LaunchedChromium | undefined;

/** Writes an app's template and its README snippets, then runs its install commands; resolves its folder. */
async function setUpApp(name: string, template: AppTemplate, commands?: string[][]): Promise<string> {
  const dir = join(work, 'apps', name);
  const own = snippets.filter((snippet) => snippet.app === name);
  const written = own.filter((snippet) => !snippet.path.endsWith('.sh')).map((snippet) => [snippet.path, snippet.source] as const);
  const files = { ...template.files, ...Object.fromEntries(written) };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  for (const [command, ...args] of commands ?? installCommands(own)) await run(command as string, args, { cwd: dir, env });
  return dir;
}

/** The folder of an app once installed (a failed setup fails each test that needs it). */
const app = (name: string) => apps.get(name) as Promise<string>;

const freePort = async () => {
  const probe = await listen(() => {});
  await probe.close();
  return probe.port;
};

describe.runIf(runs)('the published packages', () => {
  beforeAll(async () => {
    snippets = await readmeSnippets(root);
    work = await mkdtemp(join(tmpdir(), 'latchkey-consumer-'));
    // The repository's own npm and TypeScript build and pack; the apps get none of this environment.
    await run('npm', ['run', 'build'], { cwd: root, env: process.env });
    const workspaces = PACKAGES.flatMap((name) => ['-w', `packages/${name}`]);
    const packed = JSON.parse(
      await run('npm', ['pack', '--json', '--pack-destination', work, ...workspaces], { cwd: root, env: process.env }),
    ) as { name: string; filename: string; files: { path: string }[] }[];
    for (const { name, filename, files } of packed) {
      tarballs.set(name, { file: join(work, filename), files: files.map((file) => file.path) });
    }

    registry = await startRegistry(join(work, 'registry'), join(work, 'npm-cache'));
    env = appEnv(registry.npmrc, join(work, 'home'));
    await mkdir(join(work, 'home'));
    await Promise.all([...tarballs.values()].map(({ file }) => run('npm', ['publish', file], { cwd: work, env })));

    // The installs run side by side; each test waits for the app it needs.
    apps.set('spa', setUpApp('spa', spaApp));
    apps.set('vue', setUpApp('vue', vueApp));
    apps.set('bff', setUpApp('bff', serverApp));
    apps.set('require', setUpApp('require', requireApp, [requireInstall]));
    for (const setup of apps.values()) setup.catch(() => undefined);
  }, 300_000);

  afterAll(async () => {
    await chromium?.close();
    for (const started of processes) await started.stop();
    await Promise.allSettled(apps.values());
    await registry?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe('the READMEs', () => {
    it('mark the snippets the apps are made of', () => {
      expect(snippets.map((snippet) => `${snippet.readme} -> ${snippet.app}/${snippet.path}`).sort()).toEqual(EXPECTED_SNIPPETS);
    });

    it('mark every TypeScript block, so none of them goes unchecked', async () => {
      const unmarked: string[] = [];
      for (const readme of ['README.md', ...PACKAGES.map((name) => `packages/${name}/README.md`)]) {
        const lines = (await readFile(join(root, readme), 'utf8')).split('\n');
        lines.forEach((line, index) => {
          if (/^```tsx?$/.test(line) && !lines[index - 1]?.startsWith('<!-- consumer: ')) unmarked.push(`${readme}:${index + 1}`);
        });
      }
      expect(unmarked).toEqual([]);
    });

    it('start the provider by its scoped name, never the unscoped `latchkey-provider` anyone may publish', async () => {
      const readmes = [join(root, 'README.md'), ...PACKAGES.map((name) => join(root, 'packages', name, 'README.md'))];
      for (const readme of readmes) {
        const text = await readFile(readme, 'utf8');
        expect(text, readme).not.toMatch(/npx latchkey-provider/);
        for (const [command] of text.matchAll(/npx @latchkey\/provider[^`\n]*/g)) {
          expect(command, readme).toMatch(/^npx @latchkey\/provider( --[a-z-]+ \S+)*$/);
        }
      }
    });
  });

  describe('the tarballs', () => {
    it.each(PACKAGES)('@latchkey/%s: publint and attw (ESM-only profile) report nothing', async (name) => {
      const { file } = tarballs.get(`@latchkey/${name}`)!;
      const tarball = await readFile(file);
      const bytes = tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength);
      const { messages, pkg } = await publint({ pack: { tarball: bytes }, level: 'suggestion', strict: true });
      expect(messages.map((message) => `${message.type}: ${formatMessage(message, pkg, { color: false })}`)).toEqual([]);
      // ESM only: require() works through Node's require(esm) (tested below), which attw's node16-cjs mode predates.
      const attw = join(root, 'node_modules', '.bin', 'attw');
      const flags = ['--profile', 'esm-only', '--no-definitely-typed', '--format', 'ascii', '--no-color', '--no-emoji'];
      await run(attw, [file, ...flags], { cwd: work, env });
    });

    it.each(PACKAGES)('@latchkey/%s: metadata, a LICENSE, no build info, and source maps that resolve inside the tarball', async (name) => {
      const { file, files } = tarballs.get(`@latchkey/${name}`)!;
      expect(files).toContain('LICENSE');
      expect(files.filter((path) => path.includes('tsbuildinfo') || /\.test\.tsx?$/.test(path))).toEqual([]);
      const dir = join(work, 'unpacked', name);
      await mkdir(dir, { recursive: true });
      await run('tar', ['-xzf', file, '-C', dir], { cwd: work, env });
      const manifest = JSON.parse(await readFile(join(dir, 'package', 'package.json'), 'utf8')) as Record<string, unknown>;
      expect(manifest).toMatchObject({
        license: 'MIT',
        repository: { type: 'git', directory: `packages/${name}` },
        homepage: expect.stringMatching(/^https:\/\//),
        bugs: { url: expect.stringMatching(/^https:\/\//) },
        publishConfig: { access: 'public' },
        engines: { node: '>=20.19' },
      });
      const maps = files.filter((path) => path.endsWith('.map'));
      expect(maps.length).toBeGreaterThan(0);
      for (const map of maps) {
        const { sources } = JSON.parse(await readFile(join(dir, 'package', map), 'utf8')) as { sources: string[] };
        for (const source of sources) expect(files, `${map} -> ${source}`).toContain(posix.join(posix.dirname(map), source));
      }
    });
  });

  describe('a CommonJS and an ESM app on this Node', () => {
    it('require() loads every package, and only @latchkey/bff/redis loads ioredis', async () => {
      const dir = await app('require');
      const required = JSON.parse(await run('node', ['check.cjs'], { cwd: dir, env })) as Record<string, unknown>;
      expect(required).toMatchObject({ ioredisAfterMain: false, ioredisAfterRedis: true });
      for (const [name, count] of Object.entries(required.exports as Record<string, number>)) expect(count, name).toBeGreaterThan(0);
      const imported = JSON.parse(await run('node', ['check.mjs'], { cwd: dir, env })) as Record<string, unknown>;
      expect(imported).toMatchObject({ ioredisAfterMain: false, ioredisAfterRedis: true });
    });

    it("the BFF's and the provider's Koa types come with them, without the app's own @types/koa", async () => {
      const dir = await app('require');
      expect(await typeErrors(dir, env)).toEqual([]);
    });
  });

  describe('a Vite + React + TypeScript app with the browser and React README examples', () => {
    it('type-checks strictly and builds', async () => {
      const dir = await app('spa');
      expect(await typeErrors(dir, env)).toEqual([]);
      await run('npx', ['vite', 'build'], { cwd: dir, env });
      for (const page of ['index.html', 'react/index.html', 'react-bff/index.html']) {
        expect((await stat(join(dir, 'dist', page))).isFile(), page).toBe(true);
      }
    });
  });

  describe('a Vite + Vue + TypeScript app with the Vue README example', () => {
    it('type-checks strictly and builds', async () => {
      const dir = await app('vue');
      expect(await typeErrors(dir, env)).toEqual([]);
      await run('npx', ['vite', 'build'], { cwd: dir, env });
      expect((await readdir(join(dir, 'dist', 'assets'))).some((file) => file.endsWith('.js'))).toBe(true);
    });
  });

  describe("the BFF README's complete app", () => {
    it('type-checks strictly, with the Redis and provider examples and a CommonJS import', async () => {
      const dir = await app('bff');
      expect(await typeErrors(dir, env)).toEqual([]);
    });

    it('logs in by clicks in Chromium against the provider the README starts, and proxies /bff/api', async () => {
      if (!chromiumGate()) return;
      const dir = await app('bff');
      const [providerPort, appPort] = [await freePort(), await freePort()];
      const origin = `http://127.0.0.1:${appPort}`;

      // The README's command, with free ports for its 4000 and 3000.
      const command = snippets.find((snippet) => snippet.app === 'bff' && snippet.path === 'provider.sh')!.source.trim();
      expect(command).toBe('npx @latchkey/provider --port 4000 --bff-origin http://127.0.0.1:3000');
      const [npx, ...args] = command.replace('--port 4000', `--port ${providerPort}`).replace(':3000', `:${appPort}`).split(' ');
      const provider = start(npx as string, args, { cwd: dir, env });
      processes.push(provider);
      await provider.waitFor(/latchkey-demo-oauth1 .*secret (\S+)/);
      const secretOf = (client: string) => new RegExp(`${client} .*secret (\\S+)`).exec(provider.output())?.[1] as string;

      // A Vite build's shape: index.html and a hashed module script under assets/.
      await mkdir(join(dir, 'public', 'assets'), { recursive: true });
      const html = '<!doctype html><title>SPA</title><script type="module" src="/assets/index-Dx3k.js"></script>';
      await writeFile(join(dir, 'public', 'index.html'), html);
      await writeFile(join(dir, 'public', 'assets', 'index-Dx3k.js'), "document.title = 'SPA loaded';");

      // The README's `npx tsx server.ts`, with its environment.
      const server = start('npx', ['tsx', 'server.ts'], {
        cwd: dir,
        env: {
          ...env,
          PORT: String(appPort),
          PROVIDER_URL: `http://localhost:${providerPort}`,
          LATCHKEY_CLIENT_SECRET: secretOf('latchkey-demo-bff'),
          LATCHKEY_OAUTH1_CLIENT_SECRET: secretOf('latchkey-demo-oauth1'),
          SESSION_KEY: randomBytes(32).toString('base64'),
        },
      });
      processes.push(server);
      await waitForServer(`${origin}/bff/providers`, server);

      chromium = await launchChromium();
      const page = await chromium.context.newPage();
      const errors: Error[] = [];
      page.on('pageerror', (error) => errors.push(error));
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => document.title === 'SPA loaded');
      expect((await page.request.get(`${origin}/favicon.ico`)).status()).toBe(404);

      for (const provider of ['latchkey', 'latchkey-oauth1']) {
        await page.goto(`${origin}/bff/login/${provider}?returnTo=/profile`);
        await page.waitForURL(/\/oauth1?\/authorize/);
        await page.fill('#username', 'alice');
        await page.fill('#password', 'wonderland');
        await page.click('button[value="allow"]');
        await page.waitForURL(`${origin}/profile`);
        await page.waitForFunction(() => document.title === 'SPA loaded');
        const me = await page.evaluate(async (name) => {
          const response = await fetch(`/bff/api/${name}/me`, { headers: { 'x-latchkey-csrf': '1' } });
          return { status: response.status, body: (await response.json()) as { sub?: string } };
        }, provider);
        expect(me, provider).toMatchObject({ status: 200, body: { sub: 'user:alice' } });
      }
      expect(errors).toEqual([]);
      expect(server.output()).not.toMatch(/ENOENT|Error/);
    });
  });
});

/** Waits until the server answers `url` (or fails with its output if it stops first). */
async function waitForServer(url: string, server: Started): Promise<void> {
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`The server stopped:\n${server.output()}`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
