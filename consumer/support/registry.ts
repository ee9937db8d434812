import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The registry that verdaccio proxies everything but `@latchkey/*` to (the apps need React, Vite, Koa...):
 * the one npm itself is set to use (`npm test` passes it on), else the public one.
 */
export const UPSTREAM = process.env.npm_config_registry ?? 'https://registry.npmjs.org/';

export interface LocalRegistry {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** An `.npmrc` that points npm at this registry only, with a publish token and the shared cache. */
  npmrc: string;
  close(): Promise<void>;
}

/**
 * Starts verdaccio in `dir` (its storage, configuration and users live there). `@latchkey/*` is served only
 * from what is published to it, never from an uplink, so an install gets exactly the tarballs this run built;
 * every other package comes through from the public registry.
 */
export async function startRegistry(dir: string, cacheDir: string): Promise<LocalRegistry> {
  await mkdir(join(dir, 'storage'), { recursive: true });
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    [
      `storage: ${JSON.stringify(join(dir, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(join(dir, 'htpasswd'))}`,
      '    algorithm: sha1',
      'uplinks:',
      '  npmjs:',
      `    url: ${UPSTREAM}`,
      '    timeout: 60s',
      '    max_fails: 10',
      'packages:',
      "  '@latchkey/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    proxy: npmjs',
      'max_body_size: 50mb',
      'web:',
      '  enable: false',
      'log: { type: stdout, format: json, level: error }',
      '',
    ].join('\n'),
  );
  const script = fileURLToPath(new URL('verdaccio-child.cjs', import.meta.url));
  const child = fork(script, [config], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(() => {
      throw new Error(`verdaccio stopped at start:\n${output.join('')}`);
    }),
  ])) as [{ port: number }];
  const url = `http://127.0.0.1:${message.port}/`;
  const close = () => stop(child);
  try {
    const token = await addUser(url);
    const npmrc = join(dir, 'npmrc');
    await writeFile(
      npmrc,
      [
        `registry=${url}`,
        `//127.0.0.1:${message.port}/:_authToken=${token}`,
        `cache=${cacheDir}`,
        'prefer-online=true',
        'audit=false',
        'fund=false',
        'update-notifier=false',
        '',
      ].join('\n'),
    );
    return { url, npmrc, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Creates the publishing user the way `npm adduser` does, and returns its token. */
async function addUser(url: string): Promise<string> {
  const name = 'latchkey-ci';
  const response = await fetch(new URL(`-/user/org.couchdb.user:${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `pw-${process.pid}-${Date.now()}` }),
  });
  const body = (await response.json()) as { token?: string };
  if (!response.ok || typeof body.token !== 'string') throw new Error(`verdaccio refused the user: ${response.status}`);
  return body.token;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
