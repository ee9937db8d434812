import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryStorage, type AuthClient } from '@latchkey/browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { bufferResponsesInHappyDom } from './happy-dom-fetch.js';
import { setPageUrl } from './harness.js';

bufferResponsesInHappyDom();

// Guards the README: its quick start is test/readme/quick-start.ts word for word (so the root type
// check covers it), and that code logs in, calls the API and logs out against the real provider.
// happy-dom's URL has no file: scheme, so paths are joined by hand.
const here = dirname(fileURLToPath(import.meta.url));
const readme = await readFile(join(here, '..', 'README.md'), 'utf8');
const quickStart = await readFile(join(here, 'readme', 'quick-start.ts'), 'utf8');
const quickStartSection = readme.slice(readme.indexOf('## Quick start'));
const FENCE = '```';
const fenced = (language: string) => new RegExp(`${FENCE}${language}\\n([\\s\\S]*?)${FENCE}`).exec(quickStartSection)?.[1];

let provider: TestProvider;
let folder: string;
let pages: AuthClient[];
beforeEach(async () => {
  provider = await startTestProvider();
  await provider.provider.registerClient({
    clientId: 'latchkey-demo-spa',
    tokenEndpointAuthMethod: 'none',
    redirectUris: [`${provider.url}/callback`],
  });
  // The repository's ignored tmp/ folder: Vitest transforms modules inside the project only.
  await mkdir(join(here, '..', '..', '..', 'tmp'), { recursive: true });
  folder = await mkdtemp(join(here, '..', '..', '..', 'tmp', 'readme-'));
  pages = [];
  (globalThis as { readmeStorage?: unknown }).readmeStorage = createMemoryStorage();
});
afterEach(async () => {
  for (const auth of pages) auth.stop();
  vi.restoreAllMocks();
  await rm(folder, { recursive: true, force: true });
  await provider.close();
});

/**
 * Loads the quick start as a page at `url` would: the README's HTML, then main.ts. Only the test's
 * differences are changed: the provider's address, and a storage shared by the "page loads" (happy-dom
 * has no IndexedDB). The client is exported so the test can stop it.
 */
async function loadPage(url: string): Promise<void> {
  setPageUrl(url);
  document.body.innerHTML = fenced('html')!.replace(/<script[^>]*><\/script>/, '');
  const source = quickStart
    .replaceAll("'http://localhost:4000", `'${provider.url}`)
    .replace('dangerouslyAllowInsecureHttp: true,', 'dangerouslyAllowInsecureHttp: true,\n  storage: (globalThis as any).readmeStorage,')
    .concat('\nexport { auth };\n');
  const file = join(folder, `page-${pages.length}.ts`);
  await writeFile(file, source);
  const page = (await import(/* @vite-ignore */ file)) as { auth: AuthClient };
  pages.push(page.auth);
}

const output = () => document.querySelector('#output')!.textContent;
const click = (selector: string) => document.querySelector<HTMLButtonElement>(selector)!.click();

describe('README quick start', () => {
  it('is the code in test/readme/quick-start.ts', () => {
    expect(fenced('ts')).toBe(quickStart);
    expect(fenced('html')).toContain('id="call-api"');
  });

  it('logs in through the callback page, calls the API and logs out', async () => {
    await loadPage(`${provider.url}/`);
    expect(output()).toBe('Logged out');

    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined);
    click('#login');
    await vi.waitFor(() => expect(assign).toHaveBeenCalledTimes(1));
    const answer = await submitAuthorizeForm(String(assign.mock.calls[0]![0]));
    expect(answer.location).toMatch(new RegExp(`^${provider.url}/callback\\?`));

    await loadPage(answer.location!);
    expect(output()).toBe('Logged in as Alice Liddell');
    expect(location.href).toBe(`${provider.url}/`);
    expect(provider.countEvents('token_request', 'authorization_code')).toBe(1);

    click('#call-api');
    await vi.waitFor(() => expect(output()).toContain('"sub":"u-alice"'));

    click('#logout');
    await vi.waitFor(() => expect(output()).toBe('Logged out (user)'));
    expect(provider.countEvents('token_revoked')).toBeGreaterThan(0);
  });

  it('shows the error code of a refused login', async () => {
    await loadPage(`${provider.url}/`);
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined);
    click('#login');
    await vi.waitFor(() => expect(assign).toHaveBeenCalledTimes(1));
    const answer = await submitAuthorizeForm(String(assign.mock.calls[0]![0]), { decision: 'deny' });
    await loadPage(answer.location!);
    expect(output()).toBe('Login failed: authorization_denied');
  });
});
