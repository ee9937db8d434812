import { generateKeyPair, type KeyObject } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { promisify } from 'node:util';
import { createProvider, type Provider, type ProviderEvent, type ProviderOptions } from '@latchkey/provider';
import { DEMO_USER } from '../demo/server/demo-provider.js';
import { listen } from './listen.js';

/** The one known user of every test provider: the demo's user, so tests and the demo sign in as one person. */
export const ALICE = DEMO_USER;

// RSA key generation costs about 200 ms: test providers in one process share one key unless given keys.
let sharedKey: Promise<KeyObject> | undefined;
function testSigningKey(): Promise<KeyObject> {
  sharedKey ??= promisify(generateKeyPair)('rsa', { modulusLength: 2048 }).then(({ privateKey }) => privateKey);
  return sharedKey;
}

export interface TestProvider {
  /** Base URL, e.g. `http://127.0.0.1:54321` (same as `issuer`). */
  url: string;
  issuer: string;
  provider: Provider;
  /** Every event the provider emitted, in order. */
  events: ProviderEvent[];
  /** How many events of this type (and grant type, for token events) were emitted. */
  countEvents(type: ProviderEvent['type'], grantType?: string): number;
  close(): Promise<void>;
}

/**
 * Starts the real provider on 127.0.0.1 on an ephemeral port. The server listens first and the
 * provider is created after, because its issuer must be the URL it is served at.
 */
export async function startTestProvider(options: Partial<ProviderOptions> = {}): Promise<TestProvider> {
  let handler: RequestListener | undefined;
  const server = await listen((req, res) => {
    if (handler) return handler(req, res);
    res.statusCode = 503;
    res.end();
  });
  const events: ProviderEvent[] = [];
  try {
    const provider = await createProvider({
      users: [{ ...ALICE }],
      dangerouslyAllowAnyUser: true,
      keys: options.keys ?? (await testSigningKey()),
      ...options,
      issuer: server.url,
      onEvent: (event) => {
        events.push(event);
        options.onEvent?.(event);
      },
    });
    handler = provider.app.callback();
    return {
      url: server.url,
      issuer: provider.issuer,
      provider,
      events,
      countEvents: (type, grantType) =>
        events.filter(
          (event) => event.type === type && (grantType === undefined || ('grantType' in event && event.grantType === grantType)),
        ).length,
      close: () => server.close(),
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}
