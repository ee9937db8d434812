#!/usr/bin/env node
// Reports import cycles between the folders of a package's src (type-only imports count: a cycle of types
// still ties two folders into one). Usage: node scripts/folder-cycles.mjs packages/bff/src [more roots...]
// Exits 1 when a cycle is found. A file directly in src (index.ts, errors.ts) is a node of its own.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });

function folderGraph(root) {
  const folderOf = (file) => {
    const parts = relative(root, file).split(sep);
    return parts.length === 1 ? parts[0].replace(/\.js$/, '.ts') : parts[0];
  };
  const graph = new Map();
  for (const file of files(root)) {
    const from = folderOf(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), match[1] ?? match[2]);
      if (relative(root, target).startsWith('..')) continue;
      const to = folderOf(target);
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from).has(to)) graph.get(from).set(to, `${relative(root, file)} -> ${match[1] ?? match[2]}`);
    }
  }
  return graph;
}

/** Every import between two folders that reach each other, with the first import that makes it. */
function cycles(graph) {
  const reach = (from, to, seen = new Set()) =>
    [...(graph.get(from)?.keys() ?? [])].some((next) => next === to || (!seen.has(next) && (seen.add(next), reach(next, to, seen))));
  const found = [];
  for (const [from, edges] of graph) for (const [to, witness] of edges) if (reach(to, from)) found.push(`${from} -> ${to}: ${witness}`);
  return found;
}

let failed = false;
for (const root of process.argv.slice(2)) {
  const found = cycles(folderGraph(resolve(root)));
  for (const line of found) console.log(`${root}: ${line}`);
  failed ||= found.length > 0;
}
if (process.argv.length < 3) console.error('usage: node scripts/folder-cycles.mjs <src folder>...');
process.exit(failed || process.argv.length < 3 ? 1 : 0);
