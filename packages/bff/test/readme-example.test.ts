import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENT_IDS, demoClients } from '@latchkey/provider';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { listen } from '../../../test-support/listen.js';
import { Browser } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The README's app, as written; only the static folder and an export of its server are changed. */
async function readmeApp(publicDir: string): Promise<string> {
  const readme = await readFile(join(here, '..', 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string);
  const app = blocks.find((block) => block.includes('createBff('));
  if (app === undefined) throw new Error('The README has no app example.');
  expect(app.trim().split('\n').length).toBeLessThan(40);
  expect(app).toContain("resolve('public')");
  expect(app).toContain('app.listen(');
  return app
    .replace("resolve('public')", `resolve(${JSON.stringify(publicDir)})`)
    .replace('app.listen(', 'export const server = app.listen(');
}

/** A GET of `path` exactly as written (fetch would normalize `..` away). */
function request(base: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${base}/`, { path }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject).end();
  });
}

/** A free port on 127.0.0.1 (the demo clients' redirect URIs must name it before the app starts). */
async function freePort(): Promise<number> {
  const probe = await listen(() => {});
  await probe.close();
  return probe.port;
}

describe('README example', () => {
  let provider: TestProvider;
  let server: Server;
  let dir: string;
  let file: string;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const clients = demoClients({ spaOrigin: base, bffOrigin: base });
    provider = await startTestProvider({ clients });
    const secretOf = (id: string) => clients.find((client) => client.clientId === id)?.clientSecret as string;
    process.env.PROVIDER_URL = provider.url;
    process.env.PORT = String(port);
    process.env.LATCHKEY_CLIENT_SECRET = secretOf(DEMO_CLIENT_IDS.bff);
    process.env.LATCHKEY_OAUTH1_CLIENT_SECRET = secretOf(DEMO_CLIENT_IDS.oauth1);
    process.env.SESSION_KEY = randomBytes(32).toString('base64');

    dir = await mkdtemp(join(tmpdir(), 'latchkey-readme-'));
    await mkdir(join(dir, 'public'));
    await writeFile(join(dir, 'public', 'index.html'), '<!doctype html><title>SPA</title>');
    await writeFile(join(dir, 'public', 'app.js'), 'console.log("spa");');
    // A Vite build puts its scripts under assets/.
    await mkdir(join(dir, 'public', 'assets'));
    await writeFile(join(dir, 'public', 'assets', 'index-B2x9.js'), 'console.log("built");');
    await writeFile(join(dir, 'secret.txt'), 'outside public');
    // Written beside the tests so that its imports resolve as the package's own would.
    file = join(here, `readme-app.${process.pid}.generated.ts`);
    await writeFile(file, await readmeApp(join(dir, 'public')));
    try {
      server = ((await import(/* @vite-ignore */ file)) as { server: Server }).server;
    } finally {
      await rm(file, { force: true });
    }
    if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await provider.close();
    await rm(dir, { recursive: true, force: true });
    for (const name of ['PROVIDER_URL', 'PORT', 'LATCHKEY_CLIENT_SECRET', 'LATCHKEY_OAUTH1_CLIENT_SECRET', 'SESSION_KEY'])
      delete process.env[name];
  });

  it('serves the SPA and its assets', async () => {
    const browser = new Browser(base);
    expect(await (await browser.fetch('/some/page')).text()).toContain('<title>SPA</title>');
    const asset = await browser.fetch('/app.js');
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(await asset.text()).toContain('spa');
  });

  it('serves nested assets, and 404 for a missing file instead of index.html or a dropped connection', async () => {
    const browser = new Browser(base);
    const asset = await browser.fetch('/assets/index-B2x9.js');
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(await asset.text()).toContain('built');
    expect(await (await browser.fetch('/profile/settings')).text()).toContain('<title>SPA</title>');
    for (const path of ['/favicon.ico', '/assets/missing.js', '/assets/index-B2x9.js.map']) {
      expect((await browser.fetch(path)).status, path).toBe(404);
    }
    // A path the client did not normalize must not leave ./public (nor may an encoded one).
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const response = await request(base, path);
      expect([response.status, response.body], path).toEqual([404, 'Not Found']);
    }
  });

  it('lists both providers and logs in with each', async () => {
    const browser = new Browser(base);
    const providers = (await (await browser.fetch('/bff/providers')).json()) as { providers: { name: string; protocol: string }[] };
    expect(providers.providers.map(({ name, protocol }) => [name, protocol])).toEqual([
      ['latchkey', 'oauth2'],
      ['latchkey-oauth1', 'oauth1'],
    ]);
    await browser.login('latchkey', { returnTo: '/profile' });
    await browser.login('latchkey-oauth1');
    const session = await browser.session();
    expect(session.user).toMatchObject({ sub: ALICE.sub });
    expect(session.connections.map((connection) => connection.provider).sort()).toEqual(['latchkey', 'latchkey-oauth1']);
    for (const name of ['latchkey', 'latchkey-oauth1']) {
      const me = await browser.fetch(`/bff/api/${name}/me`, { csrf: true });
      expect(await me.json()).toMatchObject({ sub: ALICE.sub });
    }
  });
});
