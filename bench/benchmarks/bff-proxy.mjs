// BFF proxy overhead: an upstream API answering 1 KB of JSON, called (a) directly, (b) through a
// bare node:http pass-through, (c) through the Latchkey BFF proxy with a memory-store session and
// (d) the same with the Redis store. Each in its own process; the four are loaded in turn, round
// after round, in one run.
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '@latchkey/common';
import { startServer } from '../lib/child.mjs';
import { bffLogin, redisAvailability, registerProvider, startBff, startProvider } from '../lib/bff-stack.mjs';
import { combine, describeFailures, load } from '../lib/load.mjs';
import { profileArgs } from '../lib/profile.mjs';
import { formatMs, formatPercent, formatRate, formatRatio } from '../lib/stats.mjs';

const CONNECTIONS = 10;
/** Goal: the BFF proxy keeps at least this share of the bare pass-through's throughput. */
const GOAL = 0.7;

export async function run({ quick, profile, log }) {
  const duration = quick ? 1 : 5;
  const rounds = quick ? 1 : 3;
  const started = [];
  const start = async (promise) => {
    const server = await promise;
    started.push(server);
    return server;
  };
  try {
    const upstream = await start(startServer('upstream'));
    const passThrough = await start(startServer('pass-through', [upstream.url], { execArgv: profile ? profileArgs('pass-through') : [] }));
    const provider = await start(startProvider());
    const redis = await redisAvailability();

    const targets = [
      { key: 'a', name: '(a) upstream, direct', url: `${upstream.url}/items?page=1`, server: upstream },
      { key: 'b', name: '(b) bare node:http pass-through', url: `${passThrough.url}/items?page=1`, server: passThrough },
    ];
    // A BFF target can be restarted: if its process dies under load, the crash is recorded (it is a
    // finding) and a fresh process with a fresh login takes over, so the other numbers still come.
    const bffTarget = async (key, name, options) => {
      const target = { key, name, crashes: [] };
      target.restart = async () => {
        const bff = await start(startBff(options, profile ? profileArgs(`bff-${key}`) : []));
        await registerProvider(provider, bff, 'api', { apiBaseUrl: `${upstream.url}/` });
        const cookie = await bffLogin(bff.url, 'api');
        Object.assign(target, { server: bff, url: `${bff.url}/bff/api/api/items?page=1`, headers: { cookie, [CSRF_HEADER]: CSRF_HEADER_VALUE } });
      };
      await target.restart();
      return target;
    };
    targets.push(await bffTarget('c', '(c) Latchkey BFF, memory store', { store: 'memory' }));
    if (redis.available) {
      targets.push(await bffTarget('d', '(d) Latchkey BFF, Redis store', { store: 'redis', redisUrl: redis.url, prefix: `latchkey:bench:${process.pid}:` }));
    }
    // CPU time the target's own process spent per answered request: for (a) the upstream, for (b) to
    // (d) the proxy alone. Unlike req/s it does not depend on who else had the cores.
    const measure = async (target, seconds) => {
      const cpuBefore = await target.server.call('cpu');
      const result = await load({ url: target.url, headers: target.headers, connections: CONNECTIONS, duration: seconds });
      result.cpuMs = (await target.server.call('cpu').catch(() => Number.NaN)) - cpuBefore;
      // The run ended by dropping the connections with requests in flight: give a crash on those
      // aborted requests the moment it needs to show.
      await new Promise((resolve) => setTimeout(resolve, 250));
      const death = target.server.died();
      if (death) {
        const cause = death.stderr.split('\n').find((line) => /Error/.test(line))?.trim() ?? `exit code ${death.code}`;
        log(`${target.name} died under load (${cause}); restarting it`);
        target.crashes.push(cause);
        await target.restart();
      }
      return result;
    };

    for (const target of targets) {
      log(`warming up ${target.name}`);
      const warm = await measure(target, quick ? 0.5 : 2);
      if (warm.ok === 0) throw new Error(`${target.name} answered no request successfully`);
    }
    const runs = new Map(targets.map((target) => [target.key, []]));
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        log(`round ${round + 1}: ${target.name}`);
        runs.get(target.key).push(await measure(target, duration));
      }
    }
    const results = new Map(
      [...runs].map(([key, list]) => {
        const measured = list.filter((r) => Number.isFinite(r.cpuMs) && r.ok > 0);
        const cpuPerRequest = measured.reduce((sum, r) => sum + r.cpuMs, 0) / measured.reduce((sum, r) => sum + r.ok + r.failed, 0);
        return [key, { ...combine(list), cpuPerRequest }];
      }),
    );
    const direct = results.get('a').requestsPerSecond;
    const rows = targets.map((target) => {
      const r = results.get(target.key);
      return [
        target.name,
        formatRate(r.requestsPerSecond),
        `${formatRate(r.min)}–${formatRate(r.max)}`,
        formatMs(r.p50),
        formatMs(r.p99),
        formatRatio(r.requestsPerSecond / direct),
        `${(r.cpuPerRequest * 1000).toFixed(0)} µs`,
        r.failed === 0 ? '0' : `${r.failed} (${describeFailures(r.failures)})`,
      ];
    });
    if (!redis.available) rows.push(['(d) Latchkey BFF, Redis store', 'not measured', '', '', '', '', '', redis.reason]);

    const share = (key) => results.get(key).requestsPerSecond / results.get('b').requestsPerSecond;
    const goals = [
      {
        goal: `BFF proxy, memory store: at least ${formatPercent(GOAL)} of the bare pass-through's req/s`,
        met: share('c') >= GOAL,
        detail: `(c) is ${formatPercent(share('c'))} of (b)`,
      },
    ];
    const crashed = targets.filter((t) => t.crashes?.length > 0);
    goals.push({
      goal: 'the BFF process survives every run (clients disconnect mid-response when a run ends)',
      met: crashed.length === 0,
      detail:
        crashed.length === 0
          ? 'no crash'
          : crashed.map((t) => `${t.name}: ${t.crashes.length} crash(es), ${[...new Set(t.crashes)].join('; ')}`).join(' / '),
    });
    if (redis.available) goals.push({ goal: `BFF proxy, Redis store: at least ${formatPercent(GOAL)} of the bare pass-through's req/s`, met: share('d') >= GOAL, detail: `(d) is ${formatPercent(share('d'))} of (b)` });
    else goals.push({ goal: `BFF proxy, Redis store: at least ${formatPercent(GOAL)} of the bare pass-through's req/s`, met: null, detail: redis.reason });

    return {
      title: 'BFF proxy overhead',
      tables: [{ columns: ['path', 'req/s', 'range', 'p50', 'p99', 'of (a)', 'CPU per request', 'failed'], rows }],
      goals,
      shares: Object.fromEntries(targets.map((t) => [t.key, share(t.key)])),
      method: [
        'Upstream: a node:http server answering every request with the same 1,024 bytes of JSON. (b) forwards method, path, headers and body with a keep-alive http.Agent and pipes the answer back. (c)/(d): a Koa app with createBff (@latchkey/bff dist), the session made by a real login through the provider; each proxied call carries the session cookie and the CSRF header, and the BFF attaches the access token.',
        `Every server in its own Node process; autocannon in the benchmark's process with ${CONNECTIONS} connections, no pipelining, ${duration} s per run after a warm-up of each; the paths take turns, ${rounds} round(s) in one run. req/s is the mean over rounds (2xx answers only), p50 the mean and p99 the worst round, from autocannon's per-response timings.`,
        '"CPU per request" is the CPU time (user + system, process.cpuUsage) the serving process spent during the runs divided by the requests it answered: the upstream for (a), the proxy alone for (b) to (d). It does not depend on what else ran on the machine, as req/s does.',
        'A BFF process that dies during a run is restarted (new process, new login) before the next run and its crash is listed under the goals; the runs it served are counted.',
        'This machine has 2 cores, and for (b) to (d) three processes (load generator, proxy, upstream) share them, so (a) is not reachable through any proxy; compare (c) and (d) with (b).',
      ],
    };
  } finally {
    for (const server of started.reverse()) await server.close();
  }
}
