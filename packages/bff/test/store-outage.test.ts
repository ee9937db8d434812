import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BFF_ERROR_HEADER, LOGIN_ERROR_PARAM } from '@latchkey/common';
import { probeRedis, redisGate } from '../../../test-support/services.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { createRedisStore, type RedisStore } from '../src/stores/redis-store.js';
import { startBff, type Browser, type TestBff } from './harness.js';
import { registerOAuth2Client } from './provider-clients.js';

const enabled = await redisGate();

/** A local port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const spawned: ChildProcess[] = [];

/** A redis-server of this test's own, on a free port, so the test may stop it. */
async function startRedisServer(): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  spawned.push(child);
  while (!(await probeRedis('127.0.0.1', port))) {
    if (child.exitCode !== null) throw new Error('redis-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { port, process: child };
}

/**
 * ARCHITECTURE.md, security rules: "Every store call has a timeout; a slow or absent store answers a
 * typed error in seconds." A Redis that stops answering (SIGSTOP) or cannot be reached: every BFF route
 * answers `store_unavailable` (503), and a login start goes back to the SPA with that code, never a
 * 500 carrying a Location. Without the timeout these requests hang (the test times out).
 */
describe.runIf(enabled)('a slow or absent Redis', { timeout: 20_000 }, () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startTestProvider();
  });
  afterAll(async () => {
    // Even after a test that timed out: no stopped redis-server is left behind.
    for (const child of spawned) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
    await provider.close();
  });

  async function bffOn(store: RedisStore): Promise<TestBff> {
    return startBff({
      registry: { cache: store },
      bff: { store, storeTimeoutMs: 1_000 },
      async register(registry, bffUrl) {
        await registerOAuth2Client(provider, registry, bffUrl, 'alpha', { clientId: `bff-outage-${Math.random().toString(36).slice(2)}` });
      },
    });
  }

  /** Every route that needs the store, answered in time with the typed error. */
  async function expectStoreUnavailable(browser: Browser) {
    for (const request of [
      () => browser.fetch('/bff/session'),
      () => browser.fetch('/bff/api/alpha/me', { csrf: true }),
      () => browser.fetch('/bff/logout', { method: 'POST', csrf: true }),
      () => browser.fetch('/bff/disconnect/alpha', { method: 'POST', csrf: true }),
    ]) {
      const response = await request();
      expect(response.status).toBe(503);
      expect(response.headers.get(BFF_ERROR_HEADER)).toBe('store_unavailable');
      expect(response.headers.get('location')).toBeNull();
    }
    const login = await browser.fetch('/bff/login/alpha?returnTo=/home');
    expect(login.status).toBe(302);
    const location = new URL(login.headers.get('location') as string, 'http://spa.invalid');
    expect(location.pathname).toBe('/home');
    expect(location.searchParams.get(LOGIN_ERROR_PARAM)).toBe('store_unavailable');
  }

  it('stalled (SIGSTOP): answers store_unavailable within seconds, and recovers when Redis does', async () => {
    const redis = await startRedisServer();
    const store = createRedisStore({ url: `redis://127.0.0.1:${redis.port}` });
    const bff = await bffOn(store);
    try {
      const browser = bff.browser();
      await browser.login('alpha');
      redis.process.kill('SIGSTOP');
      await expectStoreUnavailable(browser);
      redis.process.kill('SIGCONT');
      expect((await browser.session()).authenticated).toBe(true);
    } finally {
      redis.process.kill('SIGCONT');
      redis.process.kill('SIGKILL');
      await bff.close();
      await store.close();
    }
  });

  it('unreachable: answers store_unavailable within seconds', async () => {
    const store = createRedisStore({ url: `redis://127.0.0.1:${await freePort()}` });
    const bff = await bffOn(store);
    try {
      const browser = bff.browser();
      browser.cookies.set('latchkey', 'A'.repeat(43));
      await expectStoreUnavailable(browser);
    } finally {
      await bff.close();
      await store.close();
    }
  });
});
