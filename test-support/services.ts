import { existsSync } from 'node:fs';
import { connect } from 'node:net';

/**
 * Decides whether tests that need an outside service run. In CI (`CI=true`) a missing service is a
 * failure, never a silent skip; on a developer machine the tests skip with one loud line.
 */
export function requireService(name: string, available: boolean, hint: string): boolean {
  if (available) return true;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${name} is required in CI but is not available: ${hint}`);
  }
  console.warn(`\n!!! SKIPPING ${name} tests: ${name} is not available (${hint}). CI would fail here.\n`);
  return false;
}

export const REDIS_URL = process.env.LATCHKEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when something answers Redis's PING on 127.0.0.1:6379 within a second. */
export function probeRedis(host = '127.0.0.1', port = 6379): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export const CHROMIUM_PATH = process.env.LATCHKEY_CHROMIUM ?? '/usr/bin/chromium';

function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export async function redisGate(): Promise<boolean> {
  return requireService('Redis', await probeRedis(), 'start it with redis-server on 127.0.0.1:6379');
}

export function chromiumGate(): boolean {
  return requireService('Chromium', hasChromium(), `apt-get install chromium (expected at ${CHROMIUM_PATH})`);
}
