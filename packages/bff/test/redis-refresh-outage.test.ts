import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStore } from '@latchkey/bff/redis';
import { listen } from '../../../test-support/listen.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { probeRedis, requireService } from '../../../test-support/services.js';
import { startBff, type TestBff } from './harness.js';
import { registerOAuth2Client } from './provider-clients.js';

/**
 * A Redis outage in the middle of a refresh. The provider rotates the refresh token, then the store goes
 * away before the BFF can write the new one: the BFF keeps it in memory and stores it once Redis is back,
 * so the next call neither fails with refresh_failed nor shows the provider a spent refresh token (which
 * its reuse detection answers by revoking the grant, RFC 9700 section 4.14.2).
 *
 * The test runs its own redis-server on a free port, with no save points and no AOF; it stops it with
 * SHUTDOWN SAVE and starts it again on the same port and directory, so the sessions written before the
 * outage come back and only the write during it is missing.
 */

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const run = requireService('redis-server', hasRedisServer, 'apt-get install redis-server (the binary, to start a private instance)');

async function freePort(): Promise<number> {
  const probe = await listen(() => {});
  await probe.close();
  return probe.port;
}

/** One redis-server the test owns: started, stopped with a final save, started again from that save. */
class PrivateRedis {
  #process: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'latchkey-redis-'));

  constructor(readonly port: number) {}

  async start(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      '--dbfilename',
      'dump.rdb',
    ];
    this.#process = spawn('redis-server', args, { stdio: 'ignore' });
    for (let attempt = 0; attempt < 100 && !(await probeRedis('127.0.0.1', this.port)); attempt += 1) await sleep(50);
  }

  /** SHUTDOWN SAVE writes the data set even without save points, then the server exits. */
  async stop(): Promise<void> {
    const process = this.#process;
    if (process === undefined || process.exitCode !== null) return;
    const exited = new Promise((resolve) => process.once('exit', resolve));
    const socket = connect({ host: '127.0.0.1', port: this.port });
    socket.on('error', () => {});
    socket.write('SHUTDOWN SAVE\r\n');
    await exited;
    socket.destroy();
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe.runIf(run)('a Redis outage during a refresh', () => {
  let redis: PrivateRedis;
  let store: RedisStore;
  let provider: TestProvider;
  let bff: TestBff;
  /** A second instance on the same Redis, which never saw the outage. */
  let other: TestBff;
  let clockSkewMs = 0;
  let stopRedisAtNextRefresh = false;
  let client: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    store = createRedisStore({ url: `redis://127.0.0.1:${redis.port}`, prefix: 'outage:' });
    provider = await startTestProvider();
    bff = await startBff({
      registry: { now: () => Date.now() + clockSkewMs },
      bff: { store },
      async register(registry, bffUrl) {
        client = await registerOAuth2Client(provider, registry, bffUrl, 'latchkey', {
          config: {
            clientKwargs: { scope: 'openid profile email offline_access' },
            // The provider has rotated the refresh token when its answer arrives: Redis stops right then.
            complianceFix: {
              refreshTokenResponse: async (response) => {
                if (stopRedisAtNextRefresh) {
                  stopRedisAtNextRefresh = false;
                  await redis.stop();
                }
                return response;
              },
            },
          },
        });
      },
    });
    other = await startBff({
      registry: { now: () => Date.now() + clockSkewMs },
      bff: { store },
      register(registry) {
        registry.register('latchkey', {
          ...client,
          serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
          apiBaseUrl: `${provider.url}/api/`,
          clientKwargs: { scope: 'openid profile email offline_access' },
        });
      },
    });
  });
  afterAll(async () => {
    await other?.close();
    await bff?.close();
    await store?.close();
    await provider?.close();
    await redis?.close();
  });

  const refreshes = () => provider.countEvents('token_request', 'refresh_token');
  const reuses = () => provider.events.filter((event) => event.type === 'token_revoked' && event.reason === 'refresh_reuse').length;

  it('keeps the rotated token until Redis takes it, so the next call neither fails nor reuses the spent refresh token', async () => {
    const browser = bff.browser();
    await browser.login('latchkey');
    expect((await browser.fetch('/bff/api/latchkey/me', { csrf: true })).status).toBe(200);
    const before = refreshes();

    stopRedisAtNextRefresh = true;
    clockSkewMs += 2 * 3600 * 1000;
    // The refresh succeeds at the provider; the write of its result does not.
    const during = await browser.fetch('/bff/api/latchkey/me', { csrf: true });
    expect(stopRedisAtNextRefresh).toBe(false);
    expect(refreshes()).toBe(before + 1);

    await redis.start();
    // Until the store's connection is back, a call answers store_unavailable; wait for a call that reads a session.
    let after = await browser.fetch('/bff/api/latchkey/me', { csrf: true });
    for (let attempt = 0; attempt < 50 && after.status === 503; attempt += 1) {
      await sleep(100);
      after = await browser.fetch('/bff/api/latchkey/me', { csrf: true });
    }
    expect(after.status).toBe(200);
    expect(refreshes()).toBe(before + 1);
    expect(reuses()).toBe(0);

    // The kept token is in Redis now: another instance, which never held it, reads it there and
    // needs no refresh (with the spent one it would refresh and trip reuse detection).
    const elsewhere = other.browser();
    for (const [name, value] of browser.cookies) elsewhere.cookies.set(name, value);
    expect((await elsewhere.fetch('/bff/api/latchkey/me', { csrf: true })).status).toBe(200);
    expect((await browser.fetch('/bff/api/latchkey/me', { csrf: true })).status).toBe(200);
    expect(refreshes()).toBe(before + 1);
    expect(reuses()).toBe(0);
    // The call during the outage went on with the new token it held.
    expect(during.status).toBe(200);
  });
});
