// CPU profiles of servers under load, and who their time is charged to.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { ROOT } from './support.mjs';

const PROFILE_DIR = `${ROOT}bench/.out/profiles/`;

/** Node flags that write a V8 CPU profile named after `name` when the process exits. */
export function profileArgs(name) {
  mkdirSync(PROFILE_DIR, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`];
}

/**
 * Who is responsible for the CPU time: each sample is charged to the nearest frame on its stack
 * that belongs to a package (one of ours by file, a dependency by name), so time spent inside Node
 * (streams, crypto, sockets) counts for the code that asked for it. Shares are of busy samples.
 */
export function chargeProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const charged = new Map();
  let busy = 0;
  const chargeOf = (url) => {
    const path = url.replace(/^file:\/\//, '').replace(ROOT, '');
    const dependency = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(path);
    if (dependency) return dependency[1];
    if (path.startsWith('packages/')) return path.replace(/^packages\/([^/]+)\/dist\//, '@latchkey/$1 ');
    if (path.startsWith('bench/')) return path;
    return undefined;
  };
  for (const id of profile.samples) {
    const leaf = byId.get(id).callFrame;
    if (leaf.functionName === '(idle)' || leaf.functionName === '(program)') continue;
    busy++;
    let charge = leaf.functionName === '(garbage collector)' ? '(garbage collector)' : undefined;
    for (let at = id; charge === undefined && at !== undefined; at = parent.get(at)) charge = chargeOf(byId.get(at).callFrame.url);
    charge ??= '(Node, no package on the stack)';
    charged.set(charge, (charged.get(charge) ?? 0) + 1);
  }
  return [...charged].sort((a, b) => b[1] - a[1]).map(([key, samples]) => ({ key, share: samples / busy }));
}

/** Of the profiles whose name starts with `prefix`, the one with the most samples (the one under load). */
export function busiestProfile(prefix) {
  const files = readdirSync(PROFILE_DIR).filter((f) => f.startsWith(prefix) && f.endsWith('.cpuprofile'));
  const samples = (file) => JSON.parse(readFileSync(`${PROFILE_DIR}${file}`, 'utf8')).samples.length;
  const sized = files.map((file) => ({ file, samples: samples(file) })).sort((a, b) => b.samples - a.samples);
  return sized.length === 0 ? undefined : `${PROFILE_DIR}${sized[0].file}`;
}
