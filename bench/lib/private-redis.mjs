// A redis-server of the benchmark's own on a free port: nothing else sends it commands, so its
// command counts (INFO commandstats) are the benchmark's alone, while the tests' Redis is shared.
import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** Starts one, or answers why it cannot (no redis-server binary). */
export async function startPrivateRedis() {
  if (spawnSync('redis-server', ['--version']).status !== 0) return { available: false, reason: 'no redis-server binary to start' };
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  // Ready once it answers a PING.
  for (let attempt = 0; ; attempt++) {
    const answered = await new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      const done = (ok) => {
        socket.destroy();
        resolve(ok);
      };
      socket.once('error', () => done(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    });
    if (answered) break;
    if (attempt >= 100 || child.exitCode !== null) throw new Error('redis-server did not start');
    await sleep(20);
  }
  const admin = new Redis(url, { maxRetriesPerRequest: 2 });
  return {
    available: true,
    url,
    /** How many times Redis ran `command` so far. */
    async calls(command) {
      const line = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(await admin.info('commandstats'));
      return Number(line?.[1] ?? 0);
    },
    async close() {
      admin.disconnect();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      if (child.exitCode === null) await exited;
    },
  };
}
