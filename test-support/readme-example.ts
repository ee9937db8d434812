import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryStorage } from '@latchkey/browser';
import { startTestProvider, type TestProvider } from './provider.js';

/** The README examples' public client, as the demo provider registers it. */
const README_CLIENT_ID = 'latchkey-demo-spa';

export interface ReadmeExample {
  /** The real provider, with the README client whose redirect URI is `/callback` on the provider's origin (the test page's too). */
  provider: TestProvider;
  /**
   * The example with the test's only two differences: the provider's address for `http://localhost:4000`,
   * and one memory storage shared by every "page load" (happy-dom has no IndexedDB).
   */
  adapt(source: string): string;
  /** Writes `source` as `name` in a scratch folder and returns its path, for `import()`. */
  write(name: string, source: string): Promise<string>;
  /** Stops the provider and removes the scratch folder. */
  close(): Promise<void>;
}

// The repository's ignored tmp/ folder: Vitest transforms modules inside the project only. (happy-dom's
// URL has no file: scheme, so the path is joined by hand.)
const tmp = join(dirname(fileURLToPath(import.meta.url)), '..', 'tmp');

/** What a test that runs a README example as a page needs; `name` labels its scratch folder. */
export async function startReadmeExample(name: string): Promise<ReadmeExample> {
  const provider = await startTestProvider();
  await provider.provider.registerClient({
    clientId: README_CLIENT_ID,
    tokenEndpointAuthMethod: 'none',
    redirectUris: [`${provider.url}/callback`],
  });
  await mkdir(tmp, { recursive: true });
  const folder = await mkdtemp(join(tmp, `${name}-readme-`));
  (globalThis as { readmeStorage?: unknown }).readmeStorage = createMemoryStorage();
  return {
    provider,
    adapt: (source) =>
      source
        .replaceAll("'http://localhost:4000", `'${provider.url}`)
        .replace('dangerouslyAllowInsecureHttp: true,', 'dangerouslyAllowInsecureHttp: true, storage: (globalThis as any).readmeStorage,'),
    async write(file, source) {
      const path = join(folder, file);
      await writeFile(path, source);
      return path;
    },
    async close() {
      await rm(folder, { recursive: true, force: true });
      await provider.close();
    },
  };
}
