// BFF proxy overhead: an upstream API answering 1 KB of JSON, called (a) directly, (b) through a
// bare node:http pass-through, (c) through the Latchkey BFF proxy with a memory-store session and
// (d) the same with the Redis store. Each in its own process; the four are loaded in turn, round
// after round, in one run.
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '@latchkey/common';
import { startServer } from '../lib/child.mjs';
import { bffLogin, redisAvailability, registerProvider, startBff, startProvider } from '../lib/bff-stack.mjs';
import { combine, load } from '../lib/load.mjs';
import { formatMs, formatPercent, formatRate, formatRatio } from '../lib/stats.mjs';

const CONNECTIONS = 10;
/** Goal: the BFF proxy keeps at least this share of the bare pass-through's throughput. */
const GOAL = 0.7;

export async function run({ quick, log }) {
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
    const passThrough = await start(startServer('pass-through', [upstream.url]));
    const provider = await start(startProvider());
    const redis = await redisAvailability();

    const targets = [
      { key: 'a', name: '(a) upstream, direct', url: `${upstream.url}/items?page=1` },
      { key: 'b', name: '(b) bare node:http pass-through', url: `${passThrough.url}/items?page=1` },
    ];
    const bffTarget = async (key, name, options) => {
      const bff = await start(startBff(options));
      await registerProvider(provider, bff, 'api', { apiBaseUrl: `${upstream.url}/` });
      const cookie = await bffLogin(bff.url, 'api');
      return { key, name, url: `${bff.url}/bff/api/api/items?page=1`, headers: { cookie, [CSRF_HEADER]: CSRF_HEADER_VALUE } };
    };
    targets.push(await bffTarget('c', '(c) Latchkey BFF, memory store', { store: 'memory' }));
    if (redis.available) {
      targets.push(await bffTarget('d', '(d) Latchkey BFF, Redis store', { store: 'redis', redisUrl: redis.url, prefix: `latchkey:bench:${process.pid}:` }));
    }

    for (const target of targets) {
      log(`warming up ${target.name}`);
      const warm = await load({ url: target.url, headers: target.headers, connections: CONNECTIONS, duration: quick ? 0.5 : 2 });
      if (warm.ok === 0) throw new Error(`${target.name} answered no request successfully`);
    }
    const runs = new Map(targets.map((target) => [target.key, []]));
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        log(`round ${round + 1}: ${target.name}`);
        runs.get(target.key).push(await load({ url: target.url, headers: target.headers, connections: CONNECTIONS, duration }));
      }
    }
    const results = new Map([...runs].map(([key, list]) => [key, combine(list)]));
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
        String(r.failed),
      ];
    });
    if (!redis.available) rows.push(['(d) Latchkey BFF, Redis store', 'not measured', '', '', '', '', redis.reason]);

    const share = (key) => results.get(key).requestsPerSecond / results.get('b').requestsPerSecond;
    const goals = [
      {
        goal: `BFF proxy, memory store: at least ${formatPercent(GOAL)} of the bare pass-through's req/s`,
        met: share('c') >= GOAL,
        detail: `(c) is ${formatPercent(share('c'))} of (b)`,
      },
    ];
    if (redis.available) goals.push({ goal: `BFF proxy, Redis store: at least ${formatPercent(GOAL)} of the bare pass-through's req/s`, met: share('d') >= GOAL, detail: `(d) is ${formatPercent(share('d'))} of (b)` });
    else goals.push({ goal: `BFF proxy, Redis store: at least ${formatPercent(GOAL)} of the bare pass-through's req/s`, met: null, detail: redis.reason });

    return {
      title: 'BFF proxy overhead',
      tables: [{ columns: ['path', 'req/s', 'range', 'p50', 'p99', 'of (a)', 'failed'], rows }],
      goals,
      shares: Object.fromEntries(targets.map((t) => [t.key, share(t.key)])),
      method: [
        'Upstream: a node:http server answering every request with the same 1,024 bytes of JSON. (b) forwards method, path, headers and body with a keep-alive http.Agent and pipes the answer back. (c)/(d): a Koa app with createBff (@latchkey/bff dist), the session made by a real login through the provider; each proxied call carries the session cookie and the CSRF header, and the BFF attaches the access token.',
        `Every server in its own Node process; autocannon in the benchmark's process with ${CONNECTIONS} connections, no pipelining, ${duration} s per run after a warm-up of each; the paths take turns, ${rounds} round(s) in one run. req/s is the mean over rounds (2xx answers only), p50 the mean and p99 the worst round, from autocannon's per-response timings.`,
        'This machine has 2 cores, and for (b) to (d) three processes (load generator, proxy, upstream) share them, so (a) is not reachable through any proxy; compare (c) and (d) with (b).',
      ],
    };
  } finally {
    for (const server of started.reverse()) await server.close();
  }
}
