import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { requireService } from '../../test-support/services.js';

/** Debian's Python, which has Authlib; the `python3` on a developer's PATH may not. */
const PYTHON = process.env.LATCHKEY_PYTHON ?? '/usr/bin/python3';
const HERE = fileURLToPath(new URL('.', import.meta.url));

/**
 * Whether the Authlib tests run: `/usr/bin/python3` with Authlib, Flask and Flask-SQLAlchemy. Missing in
 * CI is a failure, elsewhere a loud skip (as Redis and Chromium).
 */
export function authlibGate(modules = ['authlib', 'flask', 'flask_sqlalchemy']): boolean {
  const probe = spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
  return requireService(
    'Authlib',
    probe.status === 0,
    `${PYTHON} cannot import ${modules.join(', ')} (apt-get install python3-authlib python3-flask python3-flask-sqlalchemy)`,
  );
}

/** Whether Debian's Python can import `module` (e.g. `requests`, which Authlib's session clients need). */
export function pythonHas(module: string): boolean {
  return spawnSync(PYTHON, ['-c', `import ${module}`]).status === 0;
}

export interface PythonProcess {
  /** The first stdout line, parsed as JSON. */
  hello: Record<string, unknown>;
  /** Everything printed on stderr so far (for failure messages). */
  stderr(): string;
  /** Writes a line to the process's standard input. */
  send(line: string): void;
  /** Resolves with the next stdout line. */
  nextLine(): Promise<string>;
  /** Ends the process: stdin closed, then SIGTERM if it is still running after 2 s. */
  close(): Promise<void>;
}

/** Starts `/usr/bin/python3 <script> ...args` from this folder and waits for its first stdout line (JSON). */
export async function startPython(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<PythonProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(PYTHON, [script, ...args], {
    cwd: HERE,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let exited: string | undefined;
  const failWaiters = () => {
    for (const reject of waiting.splice(0)) reject('');
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      failWaiters();
      resolve();
    }),
  );
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const queued = lines.shift();
      if (queued !== undefined) return resolve(queued);
      if (exited !== undefined) return reject(new Error(`${script} ${exited}: ${stderr.slice(-2000)}`));
      waiting.push((line) =>
        exited !== undefined && line === '' ? reject(new Error(`${script} ${exited}: ${stderr.slice(-2000)}`)) : resolve(line),
      );
    });
  const close = async () => {
    if (exited === undefined) {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGTERM'), 2000);
      await exit;
      clearTimeout(timer);
    }
  };
  try {
    const first = await nextLine();
    return {
      hello: JSON.parse(first) as Record<string, unknown>,
      stderr: () => stderr,
      send: (line) => child.stdin.write(`${line}\n`),
      nextLine,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface AuthlibServer {
  /** `http://127.0.0.1:port` */
  url: string;
  /** Authlib's version, as the server reports it. */
  version: string;
  /** Registers a client through the server's `/admin/clients`. */
  registerClient(client: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/** Starts one of the Authlib servers of `servers/` (`oauth1_server.py`, `oauth2_server.py`). */
export async function startAuthlibServer(script: 'oauth1_server.py' | 'oauth2_server.py', args: string[] = []): Promise<AuthlibServer> {
  const python = await startPython(`servers/${script}`, args);
  const url = String(python.hello.url);
  return {
    url,
    version: String(python.hello.authlib),
    async registerClient(client) {
      const response = await fetch(`${url}/admin/clients`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(client),
      });
      if (response.status !== 201) throw new Error(`registering a client at ${script}: HTTP ${response.status} ${await response.text()}`);
    },
    close: () => python.close(),
  };
}

export interface ConsentAnswer {
  /** Whether the user ticks the page's consent checkbox. */
  allow: boolean;
  username?: string;
}

/**
 * Plays the user at an Authlib consent page over HTTP: GET it, fill in the username, tick (or not) its
 * checkbox, POST the form back to the same URL, and return where Authlib redirects.
 */
export async function answerConsent(authorizeUrl: string, answer: ConsentAnswer): Promise<string> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`consent page: HTTP ${page.status} ${html.slice(0, 300)}`);
  const checkbox = /<input type="checkbox" name="([^"]+)"(?: value="([^"]*)")?/.exec(html);
  if (!/<form action="" method="post">/.test(html) || checkbox?.[1] === undefined) {
    throw new Error(`no consent form at ${authorizeUrl}: ${html.slice(0, 300)}`);
  }
  const form = new URLSearchParams({ username: answer.username ?? 'alice' });
  if (answer.allow) form.set(checkbox[1], checkbox[2] ?? 'on');
  const response = await fetch(authorizeUrl, { method: 'POST', body: form, redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null) {
    throw new Error(`consent answer: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
  }
  return new URL(location, authorizeUrl).href;
}
