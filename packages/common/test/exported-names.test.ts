import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// One name, one meaning across the toolkit: an exported name may appear in two packages only when both
// export the same declaration (a re-export, as `@latchkey/browser` re-exports `LatchkeyError`), or when they
// are the React and the Vue binding, which offer one API (`useAuth`, `useBffSession`) to two frameworks.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const packagesDir = `${root}packages/`;

/** Every entry file a package's `exports` map offers: `.` is src/index.ts, `./x` is src/x.ts. */
function entries(): Array<{ entry: string; file: string }> {
  return readdirSync(packagesDir).flatMap((name) => {
    const manifest = JSON.parse(readFileSync(`${packagesDir}${name}/package.json`, 'utf8')) as { exports?: Record<string, unknown> };
    return Object.keys(manifest.exports ?? {})
      .filter((subpath) => subpath !== './package.json')
      .map((subpath) => ({
        entry: `@latchkey/${name}${subpath.slice(1)}`,
        file: `${packagesDir}${name}/src/${subpath === '.' ? 'index' : subpath.slice(2)}.ts`,
      }));
  });
}

/** For each exported name, the entries exporting it and the declaration each one resolves to. */
function exportedNames(): Map<string, Map<string, string>> {
  const config = ts.getParsedCommandLineOfConfigFile(
    `${root}tsconfig.json`,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  if (config === undefined) throw new Error('tsconfig.json is unreadable');
  const list = entries();
  const program = ts.createProgram(
    list.map(({ file }) => file),
    config.options,
  );
  const checker = program.getTypeChecker();
  const names = new Map<string, Map<string, string>>();
  for (const { entry, file } of list) {
    const source = program.getSourceFile(file);
    const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (module === undefined) throw new Error(`${entry}: no module at ${file}`);
    for (const symbol of checker.getExportsOfModule(module)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const declaration = target.declarations?.[0];
      const where = declaration === undefined ? entry : `${declaration.getSourceFile().fileName}#${target.name}`;
      const byEntry = names.get(symbol.name) ?? new Map<string, string>();
      byEntry.set(entry, where);
      names.set(symbol.name, byEntry);
    }
  }
  return names;
}

describe('exported names', () => {
  it('finds the exports of every package entry', () => {
    const names = exportedNames();
    expect(names.get('createAuthClient')?.has('@latchkey/browser')).toBe(true);
    expect(names.get('createBff')?.has('@latchkey/bff')).toBe(true);
    expect(names.get('LatchkeyError')?.size).toBeGreaterThan(1);
    expect(names.get('createRedisStore')?.has('@latchkey/bff/redis')).toBe(true);
  });

  it('gives each name one meaning across packages', () => {
    const clashes: string[] = [];
    for (const [name, byEntry] of exportedNames()) {
      const packageOf = (entry: string) => entry.split('/')[1];
      const meanings = new Map<string, Set<string>>();
      for (const [entry, where] of byEntry) meanings.set(where, (meanings.get(where) ?? new Set()).add(packageOf(entry) ?? entry));
      const packages = new Set([...meanings.values()].flatMap((set) => [...set]));
      const bindings = [...packages].every((name) => name === 'react' || name === 'vue');
      if (meanings.size > 1 && packages.size > 1 && !bindings) clashes.push(`${name}: ${[...byEntry.keys()].join(', ')}`);
    }
    expect(clashes).toEqual([]);
  });
});
