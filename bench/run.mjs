// `npm run bench`: builds the packages, runs every benchmark in its own process, prints the tables
// and writes bench/RESULTS.md with the machine, the versions and the date.
//
//   node bench/run.mjs                      everything, results in bench/RESULTS.md
//   node bench/run.mjs --quick              a short smoke run, results in bench/.out/RESULTS.md
//   node bench/run.mjs --only bundle-size   some benchmarks (comma-separated), results in bench/.out/
//   node bench/run.mjs --no-build           skip `tsc -b` (the dist/ folders must be current)
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { markdownTable, textTable, verdict } from './lib/report.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only =
  args.find((arg) => arg.startsWith('--only'))?.split('=')[1] ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);

/** Each benchmark is a module in bench/benchmarks/ exporting `run({ quick, log })`. */
const BENCHMARKS = [
  { name: 'bundle-size' },
  { name: 'oauth1-signing' },
  { name: 'token-endpoint' },
  { name: 'browser-coalescing' },
  { name: 'chromium-tabs' },
  { name: 'bff-proxy' },
  { name: 'bff-coalescing' },
  { name: 'bff-memory' },
  { name: 'redis-session-cache' },
];

const selected = only ? BENCHMARKS.filter((b) => only.split(',').includes(b.name)) : BENCHMARKS;
if (selected.length === 0) {
  console.error(`No benchmark named ${only}. Known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

function tryRun(command, commandArgs) {
  try {
    return execFileSync(command, commandArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

const packageVersion = (path) => JSON.parse(readFileSync(`${root}${path}/package.json`, 'utf8')).version;

function machine() {
  const cpus = os.cpus();
  const commit = tryRun('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);
  const dirty = tryRun('git', ['-C', root, 'status', '--porcelain', '--', 'packages', 'bench']);
  const bench = JSON.parse(readFileSync(`${root}bench/package.json`, 'utf8'));
  const ours = ['common', 'oauth1', 'provider', 'browser', 'bff'].map((name) => `@latchkey/${name} ${packageVersion(`packages/${name}`)}`);
  const tools = ['vite', 'koa', 'undici', 'happy-dom', 'playwright-core', 'ioredis'].map(
    (name) => `${name} ${packageVersion(`node_modules/${name}`)}`,
  );
  return [
    ['date', new Date().toISOString()],
    ['machine', `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`],
    ['system', `${os.type()} ${os.release()} (${os.arch()})`],
    ['Node', process.version],
    ['commit', commit ? `${commit}${dirty ? ' (with uncommitted changes)' : ''}` : 'unknown'],
    ['our packages', ours.join(', ')],
    [
      'pinned in bench/package.json',
      Object.entries(bench.devDependencies)
        .map(([name, v]) => `${name} ${v}`)
        .join(', '),
    ],
    ['tools', tools.join(', ')],
    ['Chromium', tryRun('/usr/bin/chromium', ['--version']) ?? 'not installed'],
    ['Redis', tryRun('redis-server', ['--version'])?.split(' ').slice(0, 3).join(' ') ?? 'not installed'],
  ];
}

const loadAverage = () => os.loadavg()[0].toFixed(2);

function runBenchmark({ name, execArgv = [] }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const loadBefore = loadAverage();
    const child = fork(fileURLToPath(new URL('./lib/run-one.mjs', import.meta.url)), [name, ...(quick ? ['--quick'] : [])], {
      cwd: root,
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let outcome = { error: 'the benchmark process exited without a result' };
    child.on('message', (message) => {
      if (message.type === 'log') console.log(`  [${name}] ${message.text}`);
      else if (message.type === 'result') outcome = { result: message.result };
      else if (message.type === 'error') outcome = { error: message.message };
    });
    child.on('exit', () => resolve({ name, seconds: (Date.now() - started) / 1000, load: `${loadBefore} → ${loadAverage()}`, ...outcome }));
  });
}

const started = Date.now();
if (!args.includes('--no-build')) {
  console.log('Building the packages (tsc -b tsconfig.build.json)...');
  const build = spawnSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('The build failed: the benchmarks measure the built packages, so they cannot run.');
    process.exit(1);
  }
}

const outcomes = [];
for (const benchmark of selected) {
  console.log(`\n== ${benchmark.name}`);
  const outcome = await runBenchmark(benchmark);
  outcomes.push(outcome);
  if (outcome.error) console.error(`  FAILED: ${outcome.error}`);
  else for (const table of outcome.result.tables) console.log(`\n${table.caption ? `${table.caption}\n` : ''}${textTable(table)}`);
  console.log(`  (${outcome.seconds.toFixed(1)} s; 1-minute load average ${outcome.load})`);
}
const totalSeconds = (Date.now() - started) / 1000;

const goals = outcomes.flatMap((o) => (o.result ? o.result.goals.map((g) => ({ ...g, benchmark: o.result.title })) : []));
console.log(
  `\n== Goals\n${textTable({ columns: ['benchmark', 'goal', 'status', 'measured'], rows: goals.map((g) => [g.benchmark, g.goal, verdict(g.met), g.detail]) })}`,
);
console.log(`\nTotal: ${totalSeconds.toFixed(0)} s`);

const info = machine();
const markdown = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\`${quick ? ' --quick (a smoke run: short durations, not for comparison)' : ''}. Every server listens on 127.0.0.1; the load generator is autocannon. The whole run took ${totalSeconds.toFixed(0)} s.`,
  '',
  markdownTable({ columns: ['', ''], rows: info }),
  '',
  '## Goals',
  '',
  markdownTable({
    columns: ['benchmark', 'goal', 'status', 'measured'],
    rows: goals.map((g) => [g.benchmark, g.goal, verdict(g.met), g.detail]),
  }),
  '',
  ...outcomes.flatMap((outcome) => {
    if (outcome.error) return [`## ${outcome.name}`, '', 'This benchmark failed:', '', '```', outcome.error, '```', ''];
    const { title, tables, method, notes = [] } = outcome.result;
    return [
      `## ${title}`,
      '',
      ...tables.flatMap((table) => [...(table.caption ? [table.caption, ''] : []), markdownTable(table), '']),
      '**How it was measured.**',
      '',
      ...method.map((line) => `- ${line}`),
      '',
      ...(notes.length > 0 ? ['**Notes.**', '', ...notes.map((line) => `- ${line}`), ''] : []),
      `_Ran in ${outcome.seconds.toFixed(0)} s; the machine's 1-minute load average went ${outcome.load}._`,
      '',
    ];
  }),
].join('\n');

const official = !quick && !only;
const outDir = official ? `${root}bench/` : `${root}bench/.out/`;
mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}RESULTS.md`, markdown);
console.log(`Wrote ${outDir.replace(root, '')}RESULTS.md`);
process.exitCode = outcomes.some((o) => o.error) ? 1 : 0;
