import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { isLatchkeyError } from '@latchkey/common';
import { createProvider } from '../create-provider.js';
import { demoClients } from '../demo-clients.js';

const USAGE = `Usage: latchkey-provider [--port 4000] [--host localhost] [--issuer URL] [--spa-origin URL] [--bff-origin URL]

Starts the Latchkey demo provider with three demo clients and demo mode on (any new username signs in).`;

/** Where the command line writes. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Why the command line stopped; the process exits with status 1 for each (0 for `help`). */
type CliFailureCode = 'help' | 'invalid_arguments' | 'port_in_use' | 'listen_failed' | 'configuration_error';

export type CliResult = { ok: true; url: string; close(): Promise<void> } | { ok: false; code: CliFailureCode; exitCode: number };

function listen(server: Server, port: number, host: string): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    server.once('error', resolve);
    server.listen(port, host, () => {
      server.off('error', resolve);
      resolve(null);
    });
  });
}

/**
 * Runs `latchkey-provider`: listens first (so `--port 0` works and a taken port is reported before any
 * work), then creates the provider with the issuer it is really reachable at.
 */
export async function runCli(argv: string[], io: CliIo): Promise<CliResult> {
  const fail = (code: CliFailureCode, message: string): CliResult => {
    io.err(`latchkey-provider: ${message}\n`);
    return { ok: false, code, exitCode: 1 };
  };
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '4000' },
        host: { type: 'string', default: 'localhost' },
        issuer: { type: 'string' },
        'spa-origin': { type: 'string' },
        'bff-origin': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return fail('invalid_arguments', `${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    io.out(`${USAGE}\n`);
    return { ok: false, code: 'help', exitCode: 0 };
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return fail('invalid_arguments', `--port must be a port number, not "${values.port}".`);

  let handler: RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handler(req, res));
  const listenError = await listen(server, port, values.host);
  if (listenError) {
    if (listenError.code === 'EADDRINUSE') {
      return fail('port_in_use', `port ${port} on ${values.host} is already in use. Stop the other server or pass --port <n>.`);
    }
    if (listenError.code === 'EACCES')
      return fail('listen_failed', `no permission to listen on port ${port}. Pick a port above 1024 with --port <n>.`);
    return fail('listen_failed', `cannot listen on ${values.host}:${port} (${listenError.code ?? 'unknown error'}).`);
  }
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });

  const actualPort = (server.address() as AddressInfo).port;
  const issuer = values.issuer ?? `http://${values.host === '127.0.0.1' ? '127.0.0.1' : 'localhost'}:${actualPort}`;
  const clients = demoClients({
    ...(values['spa-origin'] === undefined ? {} : { spaOrigin: values['spa-origin'] }),
    ...(values['bff-origin'] === undefined ? {} : { bffOrigin: values['bff-origin'] }),
  });
  try {
    const provider = await createProvider({ issuer, clients, dangerouslyAllowAnyUser: true, features: { clientRegistrationPage: true } });
    handler = provider.app.callback();
  } catch (error) {
    await close();
    if (isLatchkeyError(error)) return fail('configuration_error', error.message);
    throw error;
  }

  const lines = [
    `Latchkey provider at ${issuer} (demo mode: any new username signs in)`,
    `  discovery     ${issuer}/.well-known/openid-configuration`,
    `  register app  ${issuer}/clients/new`,
    '',
    'Demo clients:',
    ...clients.map((client) => {
      const kind = client.oauth1 ? 'OAuth 1.0a consumer' : client.tokenEndpointAuthMethod === 'none' ? 'public, PKCE' : 'confidential';
      const secret = client.tokenEndpointAuthMethod === 'none' && !client.oauth1 ? '' : `  secret ${client.clientSecret}`;
      const uris = client.oauth1 ? client.oauth1.callbackUris : (client.redirectUris ?? []);
      return `  ${client.clientId} (${kind})${secret}\n      ${uris.join(' ')}`;
    }),
  ];
  io.out(`${lines.join('\n')}\n`);
  return { ok: true, url: issuer, close };
}
