import { isLatchkeyError } from '@latchkey/common';
import { hmacSha256 } from '@latchkey/oauth1';
import Router from '@koa/router';
import { describe, expect, it } from 'vitest';
import { createMemoryKeyValueStore } from '../../src/storage/memory-store.js';
import { createUserDirectory } from '../../src/accounts/user-directory.js';
import { createClientRegistry } from '../../src/clients/client-registry.js';
import { mountOAuth1Endpoints, requireOAuth1, type OAuth1ServerOptions } from '../../src/oauth1/index.js';
import type { ProviderContext } from '../../src/provider-context.js';
import { authorize, createConsumer, credentialsOf, startOAuth1Provider } from './support.js';

function context(): ProviderContext {
  const storage = createMemoryKeyValueStore();
  return {
    issuer: 'http://127.0.0.1:1',
    storage,
    users: createUserDirectory(),
    clients: createClientRegistry(storage),
    now: Date.now,
    emit: () => {},
    anyUser: false,
  };
}

function configurationErrorOf(options: OAuth1ServerOptions): { code: string; option: unknown } | undefined {
  try {
    mountOAuth1Endpoints(new Router(), context(), options);
    return undefined;
  } catch (error) {
    if (!isLatchkeyError(error)) throw error;
    return { code: error.code, option: (error as { option?: unknown }).option };
  }
}

describe('OAuth 1.0a server options', () => {
  it.each<[OAuth1ServerOptions, string]>([
    [{ signatureMethods: ['HMAC-MD5'] }, 'signatureMethods'],
    [{ signatureMethods: [] }, 'signatureMethods'],
    [{ signatureMethods: ['HMAC-SHA1', 'HMAC-SHA256'] }, 'signatureMethods'],
    [{ extraSignatureMethods: { 'HMAC-SHA1': hmacSha256 } }, 'extraSignatureMethods'],
    [{ extraSignatureMethods: { 'needs encoding': hmacSha256 } }, 'extraSignatureMethods'],
    [{ timestampWindowSeconds: 0 }, 'timestampWindowSeconds'],
    [{ temporaryCredentialLifetimeSeconds: 1.5 }, 'temporaryCredentialLifetimeSeconds'],
    [{ tokenLength: 8 }, 'tokenLength'],
    [{ tokenSecretLength: 4096 }, 'tokenSecretLength'],
    [{ maxBodyBytes: -1 }, 'maxBodyBytes'],
  ])('refuses %j with a ConfigurationError naming %s', (options, option) => {
    expect(configurationErrorOf(options)).toEqual({ code: 'configuration_error', option });
    expect(() => requireOAuth1(context(), options)).toThrow();
  });

  it('does not mutate the caller options', () => {
    const options = Object.freeze({ signatureMethods: Object.freeze(['HMAC-SHA1']) }) as OAuth1ServerOptions;
    expect(configurationErrorOf(options)).toBeUndefined();
  });

  it('issues tokens and secrets of the configured lengths', async () => {
    const provider = await startOAuth1Provider({ tokenLength: 20, tokenSecretLength: 64 });
    try {
      const consumer = createConsumer(provider, { client: await provider.registerClient() });
      const temporary = credentialsOf(await consumer.initiate());
      expect([temporary.token.length, temporary.secret.length]).toEqual([20, 64]);
    } finally {
      await provider.close();
    }
  });

  it('uses generateToken for every kind', async () => {
    let counter = 0;
    const kinds: string[] = [];
    const provider = await startOAuth1Provider({
      generateToken: (kind) => {
        kinds.push(kind);
        counter += 1;
        return `${kind}-${counter}-0123456789abcdef`;
      },
    });
    try {
      const consumer = createConsumer(provider, { client: await provider.registerClient() });
      const temporary = credentialsOf(await consumer.initiate());
      expect(temporary.token).toMatch(/^temporary-\d+-0123456789abcdef$/);
      const callback = await authorize(provider, temporary.token);
      expect(callback.get('oauth_verifier')).toMatch(/^verifier-/);
      const token = credentialsOf(await consumer.exchange(temporary, callback.get('oauth_verifier') ?? ''));
      expect(token.token).toMatch(/^token-/);
      expect(token.secret).toMatch(/^token_secret-/);
      expect(kinds).toEqual(['temporary', 'temporary_secret', 'verifier', 'token', 'token_secret']);
    } finally {
      await provider.close();
    }
  });
});
