import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * The environment of every npm, npx, node and tsc the test starts: the machine's PATH and certificates,
 * nothing from the npm or Vitest that runs the test (no npm_* variables, NODE_ENV, VITEST), and npm set up by
 * `npmrc` alone (the local registry, its token and the run's cache), never by the user's ~/.npmrc.
 */
export function appEnv(npmrc: string, home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = ['PATH', 'LANG', 'TZ', 'CI', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'TMPDIR'];
  const env: NodeJS.ProcessEnv = {};
  for (const name of keep) if (process.env[name] !== undefined) env[name] = process.env[name];
  return {
    ...env,
    HOME: home,
    npm_config_userconfig: npmrc,
    // `npx @latchkey/provider` would ask before installing; a person answers yes, the test says so up front.
    npm_config_yes: 'true',
    npm_config_loglevel: 'warn',
    ...extra,
  };
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Runs a command to completion and returns its standard output; a failure throws with the command and all its output. */
export async function run(command: string, args: readonly string[], options: RunOptions): Promise<string> {
  const { code, out, err } = await runToEnd(command, args, options);
  if (code !== 0) throw new Error(`\`${[command, ...args].join(' ')}\` in ${options.cwd} exited with ${code}:\n${out}\n${err}`);
  return out;
}

/** Runs a command to completion, whatever its exit code. */
async function runToEnd(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, out: Buffer.concat(stdout).toString(), err: Buffer.concat(stderr).toString() };
}

/**
 * Type-checks an app with `tsc -p .` and returns the errors in the app's files and in our packages' .d.ts
 * files. The apps check libraries too (`skipLibCheck: false`), so that a type our .d.ts imports from a package
 * the app lacks is an error rather than a silent `any`; errors inside other libraries' own .d.ts (vue-router's
 * under exactOptionalPropertyTypes, ioredis importing the untyped redis-errors) are theirs and left out.
 */
export async function typeErrors(dir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const { code, out, err } = await runToEnd('npx', ['tsc', '-p', '.'], { cwd: dir, env });
  const errors = out.split(/\n(?=\S)/).filter((entry) => entry.trim() !== '');
  if (code !== 0 && errors.length === 0) throw new Error(`tsc failed without errors:\n${out}\n${err}`);
  return errors.filter((entry) => !entry.startsWith('node_modules/') || entry.startsWith('node_modules/@latchkey/'));
}

export interface Started {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the output once `pattern` appears in it; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** Stops the process and everything it started (its process group). */
  stop(): Promise<void>;
}

/** Starts a long-running command (the provider, the server) in its own process group. */
export function start(command: string, args: readonly string[], options: RunOptions): Started {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = once(child, 'exit');
  return {
    child,
    output: () => text,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text);
          if (!match) return;
          listeners.delete(check);
          resolve(match);
        };
        listeners.add(check);
        check();
        void exited.then(() => {
          if (listeners.delete(check)) reject(new Error(`\`${command} ${args.join(' ')}\` ended before printing ${pattern}:\n${text}`));
        });
      }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    },
  };
}
