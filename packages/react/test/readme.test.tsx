import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuthClient } from '@latchkey/browser';
import { act, screen, waitFor } from '@testing-library/react';
import type { Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestProvider } from '../../../test-support/provider.js';
import { startReadmeExample, type ReadmeExample } from '../../../test-support/readme-example.js';
import { captureNavigation, setPageUrl, submitAuthorizeForm } from './support.js';

// Guards the README: its examples are test/readme/*.tsx word for word (so the root type check covers
// them), and the first one logs in, calls the API, gates a page and logs out against the real provider.
const here = dirname(fileURLToPath(import.meta.url));
const readme = await readFile(join(here, '..', 'README.md'), 'utf8');
const example = await readFile(join(here, 'readme', 'main.tsx'), 'utf8');
const bffExample = await readFile(join(here, 'readme', 'bff.tsx'), 'utf8');
const FENCE = '```';

let fixture: ReadmeExample;
let provider: TestProvider;
let pages: { auth: AuthClient; root: Root }[];
beforeEach(async () => {
  fixture = await startReadmeExample('react');
  provider = fixture.provider;
  pages = [];
});
afterEach(async () => {
  unloadPage();
  await fixture.close();
});

function unloadPage(): void {
  const page = pages.at(-1);
  if (!page) return;
  act(() => page.root.unmount());
  page.auth.stop();
}

/**
 * Loads the example as a page at `url` would. Only the test's differences are changed: the provider's
 * address, a storage shared by the "page loads" (happy-dom has no IndexedDB), and exports of the
 * client and the root so the test can stop them.
 */
async function loadPage(url: string): Promise<void> {
  unloadPage();
  setPageUrl(url);
  document.body.innerHTML = '<div id="root"></div>';
  const source = fixture
    .adapt(example)
    .replace(
      "createRoot(document.getElementById('root')!).render(",
      "export const root = createRoot(document.getElementById('root')!);\nroot.render(",
    )
    .concat('\nexport { auth };\n');
  const file = await fixture.write(`page-${pages.length}.tsx`, source);
  pages.push((await act(() => import(/* @vite-ignore */ file))) as { auth: AuthClient; root: Root });
}

const click = (name: string) => act(() => screen.getByRole('button', { name }).click());

/** Clicks "Log in" (or opens a gated page) and plays the user at the provider; returns the callback URL. */
async function loginAtProvider(navigate: ReturnType<typeof captureNavigation>): Promise<string> {
  await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
  const answer = await submitAuthorizeForm(String(navigate.mock.calls[0]![0]));
  return answer.location!;
}

describe('README example', () => {
  it('is the code in test/readme/main.tsx, and its BFF example is test/readme/bff.tsx (type-checked)', () => {
    expect(readme).toContain(`${FENCE}tsx\n${example}${FENCE}`);
    expect(readme).toContain(`${FENCE}tsx\n${bffExample}${FENCE}`);
  });

  it('logs in, calls the API and logs out', async () => {
    await loadPage(`${provider.url}/`);
    await screen.findByRole('button', { name: 'Log in' });
    const navigate = captureNavigation();
    click('Log in');
    await loadPage(await loginAtProvider(navigate));
    await screen.findByText('Hello Alice Liddell');
    expect(location.href).toBe(`${provider.url}/`);
    expect(provider.countEvents('token_request', 'authorization_code')).toBe(1);

    click('Call the API');
    await screen.findByText(/"sub":"u-alice"/);
    click('Log out');
    await screen.findByRole('button', { name: 'Log in' });
  });

  it('RequireAuth sends an anonymous visitor of /profile to the provider and back to /profile', async () => {
    const navigate = captureNavigation();
    await loadPage(`${provider.url}/profile`);
    screen.getByText('Redirecting to the login page…');
    await loadPage(await loginAtProvider(navigate));
    await screen.findByRole('button', { name: 'Call the API' });
    expect(location.pathname).toBe('/profile');
  });
});
