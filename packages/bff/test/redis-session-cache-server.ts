import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { listen } from '../../../test-support/listen.js';
import { probeRedis, requireService } from '../../../test-support/services.js';

/** Whether tests that start their own redis-server run (CI fails without it). */
export function privateRedisGate(): boolean {
  const found = spawnSync('redis-server', ['--version']).status === 0;
  return requireService('redis-server', found, 'apt-get install redis-server (the binary, to start a private instance)');
}

async function freePort(): Promise<number> {
  const probe = await listen(() => {});
  await probe.close();
  return probe.port;
}

/**
 * A redis-server of a test's own on a free port: nothing else sends it commands, so its command
 * counts are the test's, and the test may stop it (SIGSTOP) as a stalled Redis.
 */
export interface PrivateRedis {
  url: string;
  /** An admin connection, for INFO, FLUSHALL and CLIENT KILL. */
  admin: Redis;
  /** How many times Redis ran `command` (INFO commandstats). */
  calls(command: string): Promise<number>;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  while (!(await probeRedis('127.0.0.1', port))) {
    if (child.exitCode !== null) throw new Error('redis-server did not start');
    await sleep(20);
  }
  const url = `redis://127.0.0.1:${port}`;
  const admin = new Redis(url, { maxRetriesPerRequest: 2 });
  return {
    url,
    admin,
    async calls(command) {
      const stats = await admin.info('commandstats');
      const line = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(stats);
      return Number(line?.[1] ?? 0);
    },
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async close() {
      admin.disconnect();
      child.kill('SIGCONT');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      if (child.exitCode === null) await exited;
    },
  };
}
