import { afterEach, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../../../test-support/listen.js';
import { runCli, type CliResult } from './run-cli.js';

const io = () => {
  const output = { out: '', err: '' };
  return { output, io: { out: (text: string) => (output.out += text), err: (text: string) => (output.err += text) } };
};

let running: CliResult | undefined;
let blocker: Listening | undefined;
afterEach(async () => {
  if (running?.ok) await running.close();
  await blocker?.close();
  running = undefined;
  blocker = undefined;
});

describe('latchkey-provider', () => {
  it('starts the demo provider and prints the demo clients', async () => {
    const { output, io: cliIo } = io();
    running = await runCli(['--port', '0', '--host', '127.0.0.1'], cliIo);
    expect(running.ok).toBe(true);
    if (!running.ok) return;
    const metadata = (await (await fetch(`${running.url}/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(metadata.issuer).toBe(running.url);
    expect(output.out).toContain('latchkey-demo-spa');
    expect(output.out).toContain('http://localhost:5173/callback');
  });

  it('reports a taken port with a code and no stack trace', async () => {
    blocker = await listen((_req, res) => res.end());
    const { output, io: cliIo } = io();
    running = await runCli(['--port', String(blocker.port), '--host', '127.0.0.1'], cliIo);
    expect(running).toEqual({ ok: false, code: 'port_in_use', exitCode: 1 });
    expect(output.err).not.toMatch(/\n\s+at /);
  });

  it('refuses bad arguments', async () => {
    expect(await runCli(['--port', 'eighty'], io().io)).toMatchObject({ ok: false, code: 'invalid_arguments' });
    expect(await runCli(['--colour'], io().io)).toMatchObject({ ok: false, code: 'invalid_arguments' });
  });
});
