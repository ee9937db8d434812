import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DemoError } from './demo-error.js';

export interface Listening {
  server: Server;
  port: number;
  /** Sets the request listener; until then every request gets 503 (the server listens before the app exists). */
  handle(listener: RequestListener): void;
  close(): Promise<void>;
}

/**
 * Listens first, so port 0 works and a taken port is reported before any work is done; the app that
 * answers is set afterwards, once it knows the URL it is really served at.
 */
export async function listenOn(port: number, host: string, what: string, flag: string): Promise<Listening> {
  let listener: RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => listener(req, res));
  const failure = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    server.once('error', resolve);
    server.listen(port, host, () => {
      server.off('error', resolve);
      resolve(null);
    });
  });
  if (failure) {
    if (failure.code === 'EADDRINUSE') {
      throw new DemoError(
        'port_in_use',
        `Port ${port} on ${host} (the ${what}) is already in use. Stop the other server or pick another port with ${flag} <n>.`,
        { cause: failure },
      );
    }
    if (failure.code === 'EACCES') {
      throw new DemoError(
        'listen_failed',
        `No permission to listen on port ${port} (the ${what}). Pick a port above 1024 with ${flag} <n>.`,
        { cause: failure },
      );
    }
    throw new DemoError('listen_failed', `Cannot listen on ${host}:${port} for the ${what} (${failure.code ?? 'unknown error'}).`, {
      cause: failure,
    });
  }
  return {
    server,
    port: (server.address() as AddressInfo).port,
    handle(next) {
      listener = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
