import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, parseEnv } from 'node:util';
import { isLatchkeyError } from '@latchkey/common';
import { DemoError } from './demo-error.js';
import { startDemo, type RunningDemo, type StartDemoOptions } from './start-demo.js';

const USAGE = `Usage: npm run demo -- [options]

  --port <n>            the SPA and the BFF (one origin)       env LATCHKEY_DEMO_PORT           default 5173
  --provider-port <n>   the embedded OAuth provider            env LATCHKEY_DEMO_PROVIDER_PORT  default 4000
  --host <name>         where to listen and what URLs say      env LATCHKEY_DEMO_HOST           default 127.0.0.1
  --with <preset>       also log in with a real provider       env LATCHKEY_DEMO_WITH           e.g. github
  --env-file <path>     read credentials and settings from it  default demo/.env when it exists
  -h, --help`;

/** Where the command line writes. */
export interface DemoCliIo {
  out(text: string): void;
  err(text: string): void;
}

export type DemoCliResult = { ok: true; demo: RunningDemo } | { ok: false; code: string; exitCode: number };

const defaultEnvFile = fileURLToPath(new URL('../.env', import.meta.url));

function port(name: string, value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    throw new DemoError('invalid_arguments', `${name} must be a port number from 0 to 65535, not "${value}".`);
  }
  return parsed;
}

/** Reads an env file; variables already set in the environment win over the file's. */
function withEnvFile(env: Readonly<Record<string, string | undefined>>, path: string | undefined): Record<string, string | undefined> {
  const file = path ?? (existsSync(defaultEnvFile) ? defaultEnvFile : undefined);
  if (file === undefined) return { ...env };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new DemoError('invalid_arguments', `Cannot read the env file ${file}.`, { cause });
  }
  return { ...parseEnv(text), ...env };
}

function resolveOptions(argv: string[], processEnv: Readonly<Record<string, string | undefined>>): StartDemoOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'provider-port': { type: 'string' },
        host: { type: 'string' },
        with: { type: 'string', multiple: true },
        'env-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (cause) {
    throw new DemoError('invalid_arguments', `${(cause as Error).message}\n\n${USAGE}`, { cause });
  }
  if (values.help) return 'help';
  const env = withEnvFile(processEnv, values['env-file']);
  const appPort = values.port ?? env.LATCHKEY_DEMO_PORT;
  const providerPort = values['provider-port'] ?? env.LATCHKEY_DEMO_PROVIDER_PORT;
  const presets = (values.with ?? env.LATCHKEY_DEMO_WITH?.split(',') ?? []).map((name) => name.trim()).filter(Boolean);
  return {
    ports: {
      ...(appPort === undefined ? {} : { app: port('--port', appPort) }),
      ...(providerPort === undefined ? {} : { provider: port('--provider-port', providerPort) }),
    },
    host: values.host ?? env.LATCHKEY_DEMO_HOST ?? '127.0.0.1',
    presets,
    env,
  };
}

/** `npm run demo`: starts the demo and prints where to open it; a bad flag or a taken port is a message, not a stack trace. */
export async function runDemoCli(argv: string[], env: Readonly<Record<string, string | undefined>>, io: DemoCliIo): Promise<DemoCliResult> {
  try {
    const options = resolveOptions(argv, env);
    if (options === 'help') {
      io.out(`${USAGE}\n`);
      return { ok: false, code: 'help', exitCode: 0 };
    }
    const demo = await startDemo(options);
    io.out(
      [
        '',
        `  Latchkey demo   ${demo.url}   <- open this`,
        `  provider        ${demo.providerUrl}   (demo user alice / wonderland; any other name signs in too)`,
        `  BFF             ${demo.url}/bff   (${demo.bffProviders.join(', ')})`,
        `  bindings        ${demo.url}/bindings/react/   ${demo.url}/bindings/vue/`,
        '',
        '  Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
    return { ok: true, demo };
  } catch (error) {
    if (!isLatchkeyError(error)) throw error;
    io.err(`latchkey demo: ${error.message}\n`);
    return { ok: false, code: error.code, exitCode: 1 };
  }
}
