import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { screen, waitFor } from '@testing-library/vue';
import type { App } from 'vue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestProvider } from '../../../test-support/provider.js';
import { startReadmeExample, type ReadmeExample } from '../../../test-support/readme-example.js';
import { captureNavigation, setPageUrl, submitAuthorizeForm } from './support.js';

// Guards the README: its example is test/readme/main.ts word for word (so the root type check covers
// it), and that app logs in, calls the API on a protected route and logs out against the real provider.
const here = dirname(fileURLToPath(import.meta.url));
const readme = await readFile(join(here, '..', 'README.md'), 'utf8');
const example = await readFile(join(here, 'readme', 'main.ts'), 'utf8');
const FENCE = '```';

let fixture: ReadmeExample;
let provider: TestProvider;
let apps: App[];
beforeEach(async () => {
  fixture = await startReadmeExample('vue');
  provider = fixture.provider;
  apps = [];
});
afterEach(async () => {
  apps.at(-1)?.unmount();
  await fixture.close();
});

/**
 * Loads the example as a page at `url` would. Only the test's differences are changed: the provider's
 * address, a storage shared by the "page loads" (happy-dom has no IndexedDB), and an export of the app
 * so the test can unmount it (which stops the client).
 */
async function loadPage(url: string): Promise<void> {
  apps.at(-1)?.unmount();
  setPageUrl(url);
  document.body.innerHTML = '<div id="app"></div>';
  const source = fixture
    .adapt(example)
    .replace('createApp(RouterView).use(latchkey)', 'export const app = createApp(RouterView);\napp.use(latchkey)');
  const file = await fixture.write(`page-${apps.length}.ts`, source);
  apps.push(((await import(/* @vite-ignore */ file)) as { app: App }).app);
}

const click = async (name: string) => (await screen.findByRole('button', { name })).click();

async function loginAtProvider(navigate: ReturnType<typeof captureNavigation>): Promise<string> {
  await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
  return (await submitAuthorizeForm(String(navigate.mock.calls[0]![0]))).location!;
}

describe('README example', () => {
  it('is the code in test/readme/main.ts', () => {
    expect(readme).toContain(`${FENCE}ts\n${example}${FENCE}`);
  });

  it('logs in, opens the protected page, calls the API and logs out', async () => {
    await loadPage(`${provider.url}/`);
    const navigate = captureNavigation();
    await click('Log in');
    await loadPage(await loginAtProvider(navigate));
    await screen.findByText('Hello Alice Liddell');
    expect(location.href).toBe(`${provider.url}/`);
    expect(provider.countEvents('token_request', 'authorization_code')).toBe(1);

    (await screen.findByRole('link', { name: 'Profile' })).click();
    await click('Call the API');
    await screen.findByText(/"sub":"u-alice"/);
    expect(location.pathname).toBe('/profile');

    history.back();
    await click('Log out');
    await screen.findByRole('button', { name: 'Log in' });
  });

  it('the guard sends an anonymous visitor of /profile to the provider and back to /profile', async () => {
    const navigate = captureNavigation();
    await loadPage(`${provider.url}/profile`);
    await loadPage(await loginAtProvider(navigate));
    await screen.findByRole('button', { name: 'Call the API' });
    expect(location.pathname).toBe('/profile');
  });

  it('shows a refused login', async () => {
    await loadPage(`${provider.url}/`);
    const navigate = captureNavigation();
    await click('Log in');
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    const answer = await submitAuthorizeForm(String(navigate.mock.calls[0]![0]), { decision: 'deny' });
    await loadPage(answer.location!);
    await screen.findByText('Login failed: authorization_denied');
  });
});
