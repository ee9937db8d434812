// Servers under load run in their own processes, so the load generator (autocannon, in the
// benchmark's process) and the server do not share an event loop. A server script calls `serve()`;
// the benchmark calls `startServer()` and can send the server commands over the IPC channel.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

/**
 * In a server script: listens on 127.0.0.1 on an ephemeral port with `listener` (created by
 * `setup(url)` once the URL is known), answers `commands` from the parent (and `cpu`: this process's
 * CPU time in milliseconds) and reports the URL.
 */
export async function serve(setup) {
  let listener;
  const server = createServer((req, res) => listener(req, res));
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const { handler, commands = {} } = await setup(url);
  listener = handler;
  process.on('message', async ({ id, command, args = [] }) => {
    try {
      if (command === 'close') {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        process.send({ id, result: null }, () => process.exit(0));
        return;
      }
      // Every server reports its CPU time, so a benchmark can say what one request costs it.
      if (command === 'cpu') {
        const { user, system } = process.cpuUsage();
        process.send({ id, result: (user + system) / 1000 });
        return;
      }
      const fn = commands[command];
      if (!fn) throw new Error(`unknown command ${command}`);
      process.send({ id, result: await fn(...args) });
    } catch (error) {
      process.send({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
  process.send({ ready: true, url });
}

/**
 * In a benchmark: starts `bench/servers/<name>.mjs` with `args` and waits for its URL. `died()` says
 * whether the server exited on its own (a crash under load is a finding, not noise), with the end of
 * what it wrote to stderr.
 */
export function startServer(name, args = [], { execArgv = [] } = {}) {
  const child = fork(fileURLToPath(new URL(`../servers/${name}.mjs`, import.meta.url)), args, {
    execArgv,
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let nextId = 0;
  const pending = new Map();
  let exited = false;
  let closing = false;
  let death = null;
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => {
      exited = true;
      if (!closing) death = { code, signal, stderr };
      reject(new Error(`server ${name} exited with code ${code} before it was ready:\n${stderr}`));
      for (const { reject: fail } of pending.values()) fail(new Error(`server ${name} exited`));
    });
    child.on('message', (message) => {
      if (message.ready) {
        const call = (command, ...commandArgs) =>
          new Promise((done, fail) => {
            if (exited) return fail(new Error(`server ${name} exited`));
            const id = nextId++;
            pending.set(id, { resolve: done, reject: fail });
            child.send({ id, command, args: commandArgs });
          });
        resolve({
          url: message.url,
          pid: child.pid,
          call,
          died: () => death,
          close: async () => {
            closing = true;
            if (exited) return;
            const gone = new Promise((done) => child.once('exit', done));
            await call('close').catch(() => undefined);
            await gone;
          },
        });
        return;
      }
      const entry = pending.get(message.id);
      if (!entry) return;
      pending.delete(message.id);
      if (message.error) entry.reject(new Error(message.error));
      else entry.resolve(message.result);
    });
  });
}
