import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../test-support/listen.js';
import { runDemoCli, type DemoCliResult } from './server/cli.js';
import { startDemo, type RunningDemo } from './server/start-demo.js';

const FREE_PORTS = ['--port', '0', '--provider-port', '0'];

function io() {
  const output = { out: '', err: '' };
  return { output, io: { out: (text: string) => (output.out += text), err: (text: string) => (output.err += text) } };
}

let running: RunningDemo | undefined;
let blocker: Listening | undefined;
afterEach(async () => {
  await running?.close();
  await blocker?.close();
  running = undefined;
  blocker = undefined;
});

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ result: DemoCliResult; out: string; err: string }> {
  const { output, io: cliIo } = io();
  // An empty env file, so a developer's demo/.env cannot change what is tested.
  const result = await runDemoCli([...argv, '--env-file', '/dev/null'], env, cliIo);
  if (result.ok) running = result.demo;
  return { result, ...output };
}

describe('npm run demo', () => {
  it('starts on the ports asked for and prints the URL to open', async () => {
    const { result, out } = await run(FREE_PORTS);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(out).toContain(`${result.demo.url}   <- open this`);
    const providers = (await (await fetch(`${result.demo.url}/bff/providers`)).json()) as {
      providers: { name: string; protocol: string }[];
    };
    expect(providers.providers.map(({ name, protocol }) => [name, protocol])).toEqual([
      ['latchkey', 'oauth2'],
      ['latchkey-dpop', 'oauth2'],
      ['latchkey-oauth1', 'oauth1'],
    ]);
    const metadata = (await (await fetch(`${result.demo.providerUrl}/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(metadata.issuer).toBe(result.demo.providerUrl);
    expect((await fetch(`${result.demo.url}/callback`)).headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('reads the ports from the environment', async () => {
    blocker = await listen((_req, res) => res.end());
    const { result } = await run([], { LATCHKEY_DEMO_PORT: String(blocker.port), LATCHKEY_DEMO_PROVIDER_PORT: '0' });
    expect(result).toEqual({ ok: false, code: 'port_in_use', exitCode: 1 });
  });

  it.each(['--port', '--provider-port'])(
    'reports a taken %s with a message naming the flag, an exit code and no stack trace',
    async (flag) => {
      blocker = await listen((_req, res) => res.end());
      const argv =
        flag === '--port'
          ? ['--port', String(blocker.port), '--provider-port', '0']
          : ['--port', '0', '--provider-port', String(blocker.port)];
      const { result, err } = await run(argv);
      expect(result).toEqual({ ok: false, code: 'port_in_use', exitCode: 1 });
      expect(err).toContain(`${flag} <n>`);
      expect(err).not.toMatch(/\n\s+at /);
    },
  );

  it('refuses bad arguments', async () => {
    expect((await run(['--port', 'eighty'])).result).toMatchObject({ ok: false, code: 'invalid_arguments' });
    expect((await run(['--colour'])).result).toMatchObject({ ok: false, code: 'invalid_arguments' });
    expect((await run([...FREE_PORTS, '--with', 'myspace'])).result).toMatchObject({ ok: false, code: 'unknown_preset' });
  });

  it('names the missing variable when --with github has no credentials', async () => {
    const { result, err } = await run([...FREE_PORTS, '--with', 'github']);
    expect(result).toMatchObject({ ok: false, code: 'missing_credentials' });
    expect(err).toContain('GITHUB_CLIENT_ID');
  });

  it('with GitHub credentials, offers GitHub and sends its login to GitHub with PKCE and the registered callback', async () => {
    const { result } = await run([...FREE_PORTS], {
      LATCHKEY_DEMO_WITH: 'github',
      GITHUB_CLIENT_ID: 'demo-client-id',
      GITHUB_CLIENT_SECRET: 'demo-client-secret',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.demo.bffProviders).toEqual(['latchkey', 'latchkey-dpop', 'latchkey-oauth1', 'github']);
    const login = await fetch(`${result.demo.url}/bff/login/github?returnTo=%2F`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    const location = new URL(login.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://github.com/login/oauth/authorize');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: 'demo-client-id',
      redirect_uri: `${result.demo.url}/bff/callback/github`,
      response_type: 'code',
      scope: 'read:user user:email',
      code_challenge_method: 'S256',
    });
    expect(location.searchParams.get('state')).toMatch(/./);
  });

  it('sends other host names for the app to the printed origin', async () => {
    running = await startDemo({ ports: { app: 0, provider: 0 }, logLevel: 'silent' });
    const { port } = new URL(running.url);
    const response = await fetch(`http://localhost:${port}/callback?x=1`, { redirect: 'manual' });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(`${running.url}/callback?x=1`);
  });

  it('runs as one process that SIGINT and SIGTERM stop cleanly', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const child = spawn(
        process.execPath,
        [fileURLToPath(new URL('./start.mjs', import.meta.url)), ...FREE_PORTS, '--env-file', '/dev/null'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await expect.poll(() => /(http:\/\/127\.0\.0\.1:\d+) {3}<- open this/.exec(out)?.[1], { timeout: 30_000 }).toMatch(/^http/);
      const url = /(http:\/\/127\.0\.0\.1:\d+) {3}<- open this/.exec(out)![1]!;
      expect((await fetch(`${url}/bff/session`)).status).toBe(200);
      child.kill(signal);
      expect(await exited).toBe(0);
      await expect(fetch(`${url}/bff/session`)).rejects.toThrow();
    }
  });
});
