// BFF refresh coalescing: N concurrent proxied calls of one session whose access token has expired.
// The BFF must refresh once (refresh tokens rotate: a second refresh with the same token would make
// the provider revoke the grant) and every call must go through with the new token.
import { Agent, request } from 'node:http';
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '@latchkey/common';
import { bffLogin, redisAvailability, registerProvider, startBff, startProvider } from '../lib/bff-stack.mjs';
import { CONTROL_COLUMNS, CONTROL_NOTE, controlRows, measureCoalescing } from '../lib/coalescing.mjs';

const TWO_HOURS = 2 * 3600 * 1000;

/** GET through the proxy; resolves to "status subject" (the provider's /api/me names the user). */
function proxiedGet(agent, url, cookie) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        agent,
        headers: { cookie, [CSRF_HEADER]: CSRF_HEADER_VALUE },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => {
          if (response.statusCode !== 200)
            return reject(new Error(`proxied call answered HTTP ${response.statusCode}: ${body.slice(0, 200)}`));
          resolve(`${response.statusCode} ${JSON.parse(body).sub}`);
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

export async function run({ quick, log }) {
  const started = [];
  const start = async (promise) => {
    const server = await promise;
    started.push(server);
    return server;
  };
  // One connection per concurrent call, kept alive across expiries, as many browsers would.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  try {
    const provider = await start(startProvider());
    const refreshes = () => provider.call('count', 'token_request', 'refresh_token');
    const plan = quick
      ? [
          [1, 3],
          [10, 3],
          [100, 2],
          [1000, 1],
        ]
      : [
          [1, 20],
          [10, 20],
          [100, 10],
          [1000, 5],
        ];
    const tables = [];
    const goals = [];

    // One instance, memory store.
    const bff = await start(startBff({ store: 'memory' }));
    await registerProvider(provider, bff, 'me', { apiBaseUrl: `${provider.url}/api/` });
    const cookie = await bffLogin(bff.url, 'me');
    const single = await measureCoalescing(plan, {
      expire: () => bff.call('advanceClock', TWO_HOURS),
      refreshes,
      call: () => proxiedGet(agent, `${bff.url}/bff/api/me/me`, cookie),
      log: (text) => log(`one BFF, memory store: ${text}`),
      control: true,
    });
    tables.push({ caption: 'One BFF instance, memory store', columns: CONTROL_COLUMNS, rows: controlRows(single.measured) });
    goals.push({
      goal: 'one refresh request per expiry, N = 1 to 1000 proxied calls (memory store)',
      met: single.allSingle,
      detail: single.allSingle
        ? 'exactly 1 for every expiry'
        : `per expiry: ${single.measured.map((m) => `N=${m.calls}: ${m.perExpiry.join('/')}`).join('; ')}`,
    });

    // Two instances of one app sharing the Redis store and the Redis refresh lock; calls alternate.
    const redis = await redisAvailability();
    if (redis.available) {
      const shared = { store: 'redis', lock: 'redis', redisUrl: redis.url, prefix: `latchkey:bench:${process.pid}:` };
      const pair = [await start(startBff(shared)), await start(startBff(shared))];
      await registerProvider(provider, pair, 'me', { apiBaseUrl: `${provider.url}/api/` });
      const pairCookie = await bffLogin(pair[0].url, 'me');
      let turn = 0;
      const twoPlan = plan.map(([calls, expiries]) => [Math.max(2, calls), expiries]);
      const double = await measureCoalescing(twoPlan, {
        expire: () => Promise.all(pair.map((instance) => instance.call('advanceClock', TWO_HOURS))),
        refreshes,
        call: () => proxiedGet(agent, `${pair[turn++ % 2].url}/bff/api/me/me`, pairCookie),
        log: (text) => log(`two BFFs, Redis: ${text}`),
        control: true,
      });
      tables.push({
        caption: 'Two BFF instances sharing the Redis store and refresh lock (calls alternate between them)',
        columns: CONTROL_COLUMNS,
        rows: controlRows(double.measured),
      });
      goals.push({
        goal: 'one refresh request per expiry across two instances (Redis store and lock)',
        met: double.allSingle,
        detail: double.allSingle
          ? 'exactly 1 for every expiry'
          : `per expiry: ${double.measured.map((m) => `N=${m.calls}: ${m.perExpiry.join('/')}`).join('; ')}`,
      });
    } else {
      goals.push({ goal: 'one refresh request per expiry across two instances (Redis store and lock)', met: null, detail: redis.reason });
    }

    return {
      title: 'BFF refresh coalescing',
      tables,
      goals,
      method: [
        "The real provider and each BFF (a Koa app with createBff, @latchkey/bff dist) in their own processes; a session made by a real login; the proxy's target is the provider's own /api/me, so every call proves its token is valid.",
        "For each expiry the BFF's clock (the registry's `now`) moves two hours ahead, then N proxied GETs of that one session start at once, each on its own keep-alive connection. Refresh requests are the refresh_token token requests the provider counted; every call answered 200 for the same user.",
        'With two instances, both clocks move, the calls alternate between the instances, and the refresh is serialized by the Redis refresh lock; the instance that waited re-reads the session from Redis.',
        CONTROL_NOTE,
      ],
    };
  } finally {
    agent.destroy();
    for (const server of started.reverse()) await server.close();
  }
}
