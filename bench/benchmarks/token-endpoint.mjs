// Provider token endpoint throughput (RFC 6749 section 3.2): client_credentials, and refresh_token
// with rotation, each the provider as shipped (@latchkey/provider, default in-memory storage) in its
// own process, loaded by autocannon over 127.0.0.1.
import { startServer } from '../lib/child.mjs';
import { combine, describeFailures, load } from '../lib/load.mjs';
import { basicAuth, logInTimes } from '../lib/oauth.mjs';
import { formatMs, formatRate } from '../lib/stats.mjs';

const CLIENT = {
  clientId: 'bench-service',
  clientSecret: 'bench-service-secret-0123456789abcdef',
  redirectUris: ['http://127.0.0.1/bench/callback'],
  grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
  scopes: ['openid', 'profile', 'email', 'offline_access', 'reports:read'],
};
const CONNECTIONS = 10;
const FORM = { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(CLIENT.clientId, CLIENT.clientSecret) };

/**
 * Refresh tokens rotate: each one is good for exactly one request, and sending a used one revokes
 * its whole grant (RFC 9700 4.14.2). So a run keeps a pool of live refresh tokens, one grant per
 * entry: each request takes one out of the pool and its answer puts the rotated one back. Every
 * request is a valid rotation; there are as many independent chains as tokens in the pool.
 */
function rotatingRefresh(pool) {
  const state = { broken: 0 };
  const requests = [
    {
      method: 'POST',
      path: '/oauth/token',
      headers: FORM,
      setupRequest(request) {
        const token = pool.pop();
        if (token === undefined) throw new Error('the refresh token pool ran dry');
        return { ...request, body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}` };
      },
      onResponse(status, body) {
        if (status === 200) pool.push(JSON.parse(body).refresh_token);
        else state.broken++;
      },
    },
  ];
  return { requests, state };
}

export async function run({ quick, log }) {
  const duration = quick ? 1 : 4;
  const rounds = quick ? 1 : 3;
  const provider = await startServer('provider', [JSON.stringify({ clients: [CLIENT] })]);
  try {
    const poolSize = CONNECTIONS * 2;
    const freshPool = async (scope) =>
      (await logInTimes(provider.url, { ...CLIENT, redirectUri: CLIENT.redirectUris[0], scope, count: poolSize })).map(
        (answer) => answer.refresh_token,
      );
    const cases = [
      {
        name: 'client_credentials',
        detail: 'scope reports:read',
        options: async () => ({ method: 'POST', headers: FORM, body: 'grant_type=client_credentials&scope=reports%3Aread' }),
      },
      {
        name: 'refresh_token',
        detail: 'scope offline_access, rotation',
        options: async () => rotatingRefresh(await freshPool('offline_access')),
      },
      {
        name: 'refresh_token',
        detail: 'scope openid offline_access, rotation + RS256 id_token',
        options: async () => rotatingRefresh(await freshPool('openid offline_access')),
      },
    ];

    for (const test of cases) {
      log(`warming up: ${test.name} (${test.detail})`);
      const options = await test.options();
      await load({
        url: `${provider.url}/oauth/token`,
        connections: CONNECTIONS,
        duration: quick ? 0.5 : 1.5,
        ...(options.requests ? { requests: options.requests } : options),
      });
    }
    const runs = cases.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [index, test] of cases.entries()) {
        const options = await test.options();
        log(`round ${round + 1}: ${test.name} (${test.detail})`);
        const before = await provider.call('count', 'token_issued');
        const result = await load({
          url: `${provider.url}/oauth/token`,
          connections: CONNECTIONS,
          duration,
          ...(options.requests ? { requests: options.requests } : options),
        });
        const issued = (await provider.call('count', 'token_issued')) - before;
        runs[index].push({ ...result, broken: options.state?.broken ?? 0, issued });
      }
    }
    const rows = cases.map((test, index) => {
      const total = combine(runs[index]);
      const issued = runs[index].reduce((sum, r) => sum + r.issued, 0);
      return [
        test.name,
        test.detail,
        formatRate(total.requestsPerSecond),
        `${formatRate(total.min)}–${formatRate(total.max)}`,
        formatMs(total.p50),
        formatMs(total.p99),
        total.ok.toLocaleString('en-US'),
        total.failed === 0 ? '0' : `${total.failed} (${describeFailures(total.failures)})`,
        issued.toLocaleString('en-US'),
      ];
    });
    const failures = runs.flat().reduce((sum, r) => sum + r.failed, 0);
    return {
      title: 'Provider token endpoint',
      tables: [
        {
          columns: ['grant', 'request', 'req/s', 'range', 'p50', 'p99', 'answered 200', 'failed', 'issued (provider)'],
          rows,
        },
      ],
      goals: [],
      method: [
        `@latchkey/provider (dist, default in-memory storage) in its own Node process; autocannon in another, ${CONNECTIONS} connections, no pipelining, ${duration} s per run, the three runs alternated, ${rounds} round(s), after a warm-up of each. req/s is the mean over rounds; p99 the worst round.`,
        'client_credentials: a confidential client authenticating with client_secret_basic.',
        `refresh_token: before each run the authorization code flow (PKCE, the provider's real login form) is played ${CONNECTIONS * 2} times, giving ${CONNECTIONS * 2} independent grants. Each request takes a live refresh token from that pool and its answer puts the rotated one back, so every request is a valid, first-use rotation (a reused token would revoke its grant and answer 400, which the "failed" column would show).`,
        '"issued (provider)" counts the token_issued events the provider emitted during the runs; it can exceed "answered 200" by the requests still in flight when a run stopped (at most the number of connections).',
      ],
      notes: failures > 0 ? [`${failures} request(s) failed: see the "failed" column.`] : [],
    };
  } finally {
    await provider.close();
  }
}
