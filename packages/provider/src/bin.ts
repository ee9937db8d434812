#!/usr/bin/env node
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { isLatchkeyError } from '@latchkey/common';
import { createProvider } from './create-provider.js';
import { demoClients } from './demo-clients.js';

const USAGE = `Usage: latchkey-provider [--port 4000] [--host localhost] [--issuer URL] [--spa-origin URL] [--bff-origin URL]

Starts the Latchkey demo provider with three demo clients and demo mode on (any username signs in).`;

function fail(message: string): never {
  process.stderr.write(`latchkey-provider: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
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
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, not "${values.port}".`);
  const issuer = values.issuer ?? `http://localhost:${port}`;
  const clients = demoClients({
    ...(values['spa-origin'] === undefined ? {} : { spaOrigin: values['spa-origin'] }),
    ...(values['bff-origin'] === undefined ? {} : { bffOrigin: values['bff-origin'] }),
  });

  let provider;
  try {
    provider = await createProvider({
      issuer,
      clients,
      dangerouslyAllowAnyUser: true,
      features: { clientRegistrationPage: true },
    });
  } catch (error) {
    fail(isLatchkeyError(error) ? error.message : 'the provider could not start.');
  }

  const server = createServer(provider.app.callback());
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') fail(`port ${port} on ${values.host} is already in use. Stop the other server or pass --port <n>.`);
    if (error.code === 'EACCES') fail(`no permission to listen on port ${port}. Pick a port above 1024 with --port <n>.`);
    fail(`cannot listen on ${values.host}:${port} (${error.code ?? 'unknown error'}).`);
  });
  server.listen(port, values.host, () => {
    const lines = [
      `Latchkey provider at ${issuer} (demo mode: any username signs in)`,
      `  discovery     ${issuer}/.well-known/openid-configuration`,
      `  register app  ${issuer}/clients/new`,
      '',
      'Demo clients:',
      ...clients.map((client) => {
        const secret = client.tokenEndpointAuthMethod === 'none' ? 'public, PKCE' : `secret ${client.clientSecret}`;
        const uris = client.oauth1 ? client.oauth1.callbackUris : (client.redirectUris ?? []);
        return `  ${client.clientId}  (${secret})  ${uris.join(' ')}`;
      }),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
