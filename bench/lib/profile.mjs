// CPU profiles of servers under load (`--profile`), and a summary of where their time went.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { ROOT } from './support.mjs';

export const PROFILE_DIR = `${ROOT}bench/.out/profiles/`;

/** Node flags that write a V8 CPU profile named after `name` when the process exits. */
export function profileArgs(name) {
  mkdirSync(PROFILE_DIR, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`];
}

/** Where a script URL belongs: a package of ours, a dependency, Node itself. */
function owner(url) {
  if (url === '') return '(V8 / native)';
  if (url.startsWith('node:')) return 'node: internals';
  const path = url.replace(/^file:\/\//, '').replace(ROOT, '');
  const dependency = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(path);
  if (dependency) return dependency[1];
  const ours = /^packages\/([^/]+)\//.exec(path);
  if (ours) return `@latchkey/${ours[1]}`;
  return path;
}

/**
 * Self time by function and by owner, and total (inclusive) time of our own functions, from a
 * .cpuprofile: the figures that say what a request costs.
 */
export function summarizeProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfSamples = new Map();
  for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const idle = [...selfSamples].filter(([id]) => byId.get(id).callFrame.functionName === '(idle)').reduce((sum, [, n]) => sum + n, 0);
  const busy = total - idle;

  const label = (frame) => `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^file:\/\//, '').replace(ROOT, '')}:${frame.lineNumber + 1}`;
  const self = new Map();
  const owners = new Map();
  const inclusive = new Map();
  for (const [id, samples] of selfSamples) {
    const frame = byId.get(id).callFrame;
    if (frame.functionName === '(idle)') continue;
    self.set(label(frame), (self.get(label(frame)) ?? 0) + samples);
    owners.set(owner(frame.url), (owners.get(owner(frame.url)) ?? 0) + samples);
    // Inclusive time of each function on the stack, counted once per sample.
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const key = label(byId.get(at).callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + samples);
    }
  }
  const top = (map, n, filter = () => true) =>
    [...map].filter(([key]) => filter(key)).sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, samples]) => ({ key, share: samples / busy }));
  return {
    busyShare: busy / total,
    owners: top(owners, 12),
    self: top(self, 25),
    oursInclusive: top(inclusive, 30, (key) => / packages\//.test(key)),
  };
}

/** Of the profiles whose name starts with `prefix`, the one with the most samples (the one under load). */
export function busiestProfile(prefix) {
  const files = readdirSync(PROFILE_DIR).filter((f) => f.startsWith(prefix) && f.endsWith('.cpuprofile'));
  const samples = (file) => JSON.parse(readFileSync(`${PROFILE_DIR}${file}`, 'utf8')).samples.length;
  const sized = files.map((file) => ({ file, samples: samples(file) })).sort((a, b) => b.samples - a.samples);
  return sized.length === 0 ? undefined : `${PROFILE_DIR}${sized[0].file}`;
}
