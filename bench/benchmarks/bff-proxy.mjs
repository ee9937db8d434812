// BFF proxy overhead: an upstream API answering 1 KB of JSON, called (a) directly, (b) through a
// bare node:http pass-through, (c) through the Latchkey BFF proxy with a memory-store session and
// (d) the same with the Redis store, plus reference points built on what the BFF is built on. Each
// server in its own process; all paths are loaded in turn, round after round, in one run. When (c)
// misses its goal, a separate run of (c) under the CPU profiler says where its time goes.
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '@latchkey/common';
import { startServer } from '../lib/child.mjs';
import { bffLogin, redisAvailability, registerProvider, startBff, startProvider } from '../lib/bff-stack.mjs';
import { busiestProfile, chargeProfile, profileArgs } from '../lib/profile.mjs';
import { PROXY_COLUMNS, formatCpu, measureAlternately, measureTarget, proxyRow } from '../lib/proxy-runs.mjs';
import { formatPercent } from '../lib/stats.mjs';

const CONNECTIONS = 10;
/** Goal: the BFF proxy keeps at least this share of the bare pass-through's throughput. */
const GOAL = 0.7;
const PATH = '/items?page=1';
const REFERENCES = [
  { key: 'k1', variant: 'undici-stream', name: 'Koa + undici Pool, answer streamed (as the BFF does)' },
  { key: 'k2', variant: 'undici-buffer', name: 'Koa + undici Pool, answer buffered' },
  { key: 'k3', variant: 'http-buffer', name: 'Koa + node:http Agent, answer buffered' },
];

export async function run({ quick, log }) {
  const seconds = quick ? 1 : 5;
  const rounds = quick ? 1 : 3;
  const started = [];
  const start = async (promise) => {
    const server = await promise;
    started.push(server);
    return server;
  };
  try {
    const upstream = await start(startServer('upstream'));
    const passThrough = await start(startServer('pass-through', [upstream.url]));
    const provider = await start(startProvider());
    const redis = await redisAvailability();
    const targets = [
      { key: 'a', name: '(a) upstream, direct', url: `${upstream.url}${PATH}`, server: upstream },
      { key: 'b', name: '(b) bare node:http pass-through', url: `${passThrough.url}${PATH}`, server: passThrough },
    ];
    for (const reference of REFERENCES) {
      const server = await start(startServer('koa-pass-through', [upstream.url, reference.variant]));
      targets.push({ key: reference.key, name: reference.name, url: `${server.url}${PATH}`, server, reference: true });
    }
    // A BFF target restarts (new process, new login) if its process dies under load.
    const bffTarget = async (key, name, options, execArgv = []) => {
      const target = { key, name };
      target.restart = async () => {
        const bff = await start(startBff(options, execArgv));
        await registerProvider(provider, bff, 'api', { apiBaseUrl: `${upstream.url}/` });
        const cookie = await bffLogin(bff.url, 'api');
        Object.assign(target, { server: bff, url: `${bff.url}/bff/api/api${PATH}`, headers: { cookie, [CSRF_HEADER]: CSRF_HEADER_VALUE } });
      };
      await target.restart();
      return target;
    };
    targets.push(await bffTarget('c', '(c) Latchkey BFF, memory store', { store: 'memory' }));
    if (redis.available) {
      targets.push(await bffTarget('d', '(d) Latchkey BFF, Redis store', { store: 'redis', redisUrl: redis.url, prefix: `latchkey:bench:${process.pid}:` }));
    }

    const results = await measureAlternately(targets, { seconds, rounds, warmupSeconds: quick ? 0.5 : 2, connections: CONNECTIONS, log });
    const direct = results.get('a').requestsPerSecond;
    const rows = targets.filter((t) => !t.reference).map((t) => proxyRow(t.name, results.get(t.key), direct));
    if (!redis.available) rows.push(['(d) Latchkey BFF, Redis store', 'not measured', '', '', '', '', '', redis.reason]);
    const referenceRows = targets.filter((t) => t.reference).map((t) => proxyRow(t.name, results.get(t.key), direct));

    const share = (key) => results.get(key).requestsPerSecond / results.get('b').requestsPerSecond;
    const goalFor = (key, store) =>
      results.has(key)
        ? { goal: `BFF proxy, ${store} store: at least ${formatPercent(GOAL)} of the bare pass-through's req/s`, met: share(key) >= GOAL, detail: `(${key}) is ${formatPercent(share(key))} of (b); CPU per request ${formatCpu(results.get(key).cpuPerRequest)} against ${formatCpu(results.get('b').cpuPerRequest)}` }
        : { goal: `BFF proxy, ${store} store: at least ${formatPercent(GOAL)} of the bare pass-through's req/s`, met: null, detail: redis.reason };
    const crashed = targets.filter((t) => t.crashes?.length > 0);
    const goals = [
      goalFor('c', 'memory'),
      goalFor('d', 'Redis'),
      {
        goal: 'the BFF process survives every run (clients drop connections mid-request when a run ends)',
        met: crashed.length === 0,
        detail: crashed.length === 0 ? 'no crash' : crashed.map((t) => `${t.name}: ${t.crashes.length} crash(es), ${[...new Set(t.crashes)].join('; ')}`).join(' / '),
      },
    ];

    const tables = [
      { columns: PROXY_COLUMNS, rows },
      { caption: 'Reference points (not goals): Koa forwarding the call with nothing of the BFF', columns: PROXY_COLUMNS, rows: referenceRows },
    ];
    const notes = [];
    if (share('c') < GOAL && seconds >= 2) {
      log('(c) missed its goal: profiling a run of it and of the Koa + undici reference');
      const profiled = await bffTarget('p', '(c) under the CPU profiler', { store: 'memory' }, profileArgs('bff-c-profiled'));
      const reference = await start(startServer('koa-pass-through', [upstream.url, 'undici-stream'], { execArgv: profileArgs('koa-reference-profiled') }));
      const profile = async (target, prefix) => {
        // One run, whose CPU window skips the first half second, so each profile holds a single
        // steady run.
        const result = await measureTarget({ ...target, restart: async () => undefined }, { seconds: seconds + 1, connections: CONNECTIONS, log });
        await target.server.close();
        return { cpuPerRequest: result.cpuPerRequest, charges: new Map(chargeProfile(busiestProfile(prefix)).map((c) => [c.key, c.share])) };
      };
      const bffProfile = await profile(profiled, 'bff-c-profiled');
      const referenceProfile = await profile({ name: 'Koa + undici reference under the CPU profiler', url: `${reference.url}${PATH}`, server: reference }, 'koa-reference-profiled');
      const perRequest = (p, key) => (p.charges.get(key) ?? 0) * p.cpuPerRequest;
      const keys = [...bffProfile.charges.keys()].filter((key) => perRequest(bffProfile, key) >= 0.005);
      const shownShare = (p) => keys.reduce((sum, key) => sum + (p.charges.get(key) ?? 0), 0);
      tables.push({
        caption: `Where (c)'s CPU goes, next to the Koa + undici reference (answer streamed): one ${seconds + 1} s run of each under the V8 CPU profiler, each sample charged to the nearest package on its stack`,
        columns: ['charged to', '(c) share', '(c) per request', 'reference per request', 'difference'],
        rows: [
          ...keys.map((key) => [
            key,
            formatPercent(bffProfile.charges.get(key)),
            formatCpu(perRequest(bffProfile, key)),
            formatCpu(perRequest(referenceProfile, key)),
            formatCpu(perRequest(bffProfile, key) - perRequest(referenceProfile, key)),
          ]),
          ['everything else', formatPercent(1 - shownShare(bffProfile)), formatCpu((1 - shownShare(bffProfile)) * bffProfile.cpuPerRequest), formatCpu((1 - shownShare(referenceProfile)) * referenceProfile.cpuPerRequest), ''],
          ['total (while profiled)', '100%', formatCpu(bffProfile.cpuPerRequest), formatCpu(referenceProfile.cpuPerRequest), formatCpu(bffProfile.cpuPerRequest - referenceProfile.cpuPerRequest)],
        ],
      });
      notes.push('"(Node, no package on the stack)" is work Node does on its own schedule: parsing requests, flushing sockets, finishing stream pipelines, timers. Samples inside Node called from a package (streams, crypto, sockets) are charged to that package. Profiles: bench/.out/profiles/.');
    }

    return {
      title: 'BFF proxy overhead',
      tables,
      goals,
      notes,
      method: [
        'Upstream: a node:http server answering every request with the same 1,024 bytes of JSON. (b) forwards method, path, headers and body with a keep-alive http.Agent (64 sockets) and pipes the answer back. (c)/(d): a Koa app with createBff (@latchkey/bff dist), the session made by a real login through the provider; each proxied call carries the session cookie and the CSRF header, and the BFF attaches the access token.',
        `Every server in its own Node process; autocannon in the benchmark's process with ${CONNECTIONS} connections, no pipelining, ${seconds} s per run after a warm-up of each; all paths take turns, ${rounds} round(s) in one run. req/s is the mean over rounds (2xx answers only), p50 the mean and p99 the worst round, from autocannon's per-response timings.`,
        '"CPU per request" is the CPU time (user + system) of the serving process over the middle of each run (from 0.5 s after its start to 0.5 s before its end) divided by the requests answered meanwhile, averaged over the rounds: the upstream for (a), the proxy alone for the others. It depends much less than req/s on what else runs on the machine.',
        'A BFF process that dies during a run is restarted (new process, new login) before the next run; its crashes are listed under the goals and the runs it served are counted.',
        'The reference points forward the call with Koa and nothing of the BFF (no session, token, CSRF, path or header checks): they tell the framework\'s share of (c) from the BFF\'s own, and what buffering the 1 KB answer instead of streaming it, or node:http instead of undici, would change.',
        'This machine has 2 cores, and for every proxied path three processes (load generator, proxy, upstream) share them, so (a) is out of reach of any proxy; compare (c) and (d) with (b).',
      ],
    };
  } finally {
    for (const server of started.reverse()) await server.close();
  }
}
