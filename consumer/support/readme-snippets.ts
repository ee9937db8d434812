import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * A README code block marked for an app of the consumer test: `<!-- consumer: <app>/<path> -->` on the line
 * before the fence. The test writes the block's text, as it stands, to `<path>` in that app (`.sh` blocks are
 * the commands the app is set up with), so the documentation and the apps are one text.
 */
export interface Snippet {
  app: string;
  path: string;
  source: string;
  /** The README it comes from, relative to the repository. */
  readme: string;
}

const MARKED_BLOCK = /^<!-- consumer: ([a-z0-9-]+)\/([\w./-]+) -->\n```[a-z]*\n([\s\S]*?)^```$/gm;

/** Every marked block of the root README and the package READMEs. */
export async function readmeSnippets(root: string): Promise<Snippet[]> {
  const packages = (await readdir(join(root, 'packages'))).sort();
  const readmes = [join(root, 'README.md'), ...packages.map((name) => join(root, 'packages', name, 'README.md'))];
  const snippets: Snippet[] = [];
  for (const file of readmes) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const markers = text.match(/<!-- consumer:/g)?.length ?? 0;
    const found = [...text.matchAll(MARKED_BLOCK)].map(([, app, path, source]) => ({
      app: app as string,
      path: path as string,
      source: source as string,
      readme: relative(root, file),
    }));
    // A marker that no longer sits right above a fenced block would silently drop a snippet.
    if (found.length !== markers) {
      throw new Error(`${relative(root, file)}: ${markers - found.length} consumer marker(s) not followed by a code block`);
    }
    snippets.push(...found);
  }
  return snippets;
}

/** The commands of an app's `install*.sh` snippets, in path order; each must be an `npm install` line. */
export function installCommands(snippets: readonly Snippet[]): string[][] {
  return snippets
    .filter((snippet) => /^install[\w-]*\.sh$/.test(snippet.path))
    .sort((a, b) => a.path.localeCompare(b.path))
    .flatMap((snippet) =>
      snippet.source
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.startsWith('#'))
        .map((line) => {
          if (!/^npm install( [@\w./^~-]+)+$/.test(line)) throw new Error(`${snippet.readme}: not an npm install line: ${line}`);
          return line.split(' ');
        }),
    );
}
