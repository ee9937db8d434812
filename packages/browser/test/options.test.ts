import { isLatchkeyError, type ConfigurationError } from '@latchkey/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuthClient, createMemoryStorage, type AuthClientOptions } from '@latchkey/browser';
import { listen } from '../../../test-support/listen.js';
import { rejection, setPageUrl } from './harness.js';

const base: AuthClientOptions = {
  issuer: 'https://id.example.test',
  clientId: 'spa',
  redirectUri: 'https://app.example.test/callback',
  storage: createMemoryStorage(),
};

function configurationError(options: AuthClientOptions): ConfigurationError {
  try {
    createAuthClient(options);
  } catch (error) {
    if (isLatchkeyError(error, 'configuration_error')) return error as ConfigurationError;
    throw error;
  }
  throw new Error('expected a configuration_error');
}

afterEach(() => vi.restoreAllMocks());

describe('createAuthClient options', () => {
  it.each([
    ['clientId', { ...base, clientId: '' }],
    ['redirectUri', { ...base, redirectUri: '/callback' }],
    ['issuer', { ...base, issuer: undefined }],
    ['issuer', { ...base, issuer: 'http://id.example.test' }],
    ['endpoints.token', { ...base, issuer: undefined, endpoints: { authorization: 'https://a.test/auth', token: 'nope' } }],
    ['refreshSkewSeconds', { ...base, refreshSkewSeconds: -1 }],
    ['extraParams', { ...base, extraParams: { code_challenge_method: 'plain' } }],
    ['apiOrigins', { ...base, apiOrigins: ['not a url'] }],
  ] as [string, AuthClientOptions][])('names the bad option %s', (option, options) => {
    expect(configurationError(options).option).toBe(option);
  });

  it('allows plain http only with dangerouslyAllowInsecureHttp', () => {
    expect(() => createAuthClient({ ...base, issuer: 'http://127.0.0.1:1', dangerouslyAllowInsecureHttp: true })).not.toThrow();
  });

  it('freezes its options and leaves the caller object alone', () => {
    const options: AuthClientOptions = { ...base, extraParams: { prompt: 'login' }, apiOrigins: ['https://api.example.test/v1'] };
    const snapshot = structuredClone({ ...options, storage: undefined });
    const client = createAuthClient(options);
    expect(Object.isFrozen(client.options)).toBe(true);
    expect(Object.isFrozen(client.options.apiOrigins)).toBe(true);
    expect(client.options.apiOrigins).toEqual(['https://api.example.test']);
    expect({ ...options, storage: undefined }).toEqual(snapshot);
  });

  it('defaults apiOrigins to the page and the issuer', () => {
    expect(createAuthClient(base).options.apiOrigins).toEqual([location.origin, 'https://id.example.test']);
  });

  it('makes no request at creation, and discovers once on first need', async () => {
    let discoveries = 0;
    const server = await listen((_req, res) => {
      discoveries += 1;
      res.statusCode = 404;
      res.end();
    });
    setPageUrl(`${server.url}/app`);
    try {
      const spy = vi.spyOn(globalThis, 'fetch');
      const client = createAuthClient({ ...base, issuer: server.url, dangerouslyAllowInsecureHttp: true });
      expect(spy).not.toHaveBeenCalled();
      expect(isLatchkeyError(await rejection(client.login({ redirect: false })), 'discovery_failed')).toBe(true);
      expect(discoveries).toBe(1);
      // A failed discovery is not kept: the next login tries again.
      await rejection(client.login({ redirect: false }));
      expect(discoveries).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('an unreachable issuer is a network_error', async () => {
    const server = await listen(() => undefined);
    const issuer = server.url;
    await server.close();
    const client = createAuthClient({ ...base, issuer, dangerouslyAllowInsecureHttp: true });
    expect(isLatchkeyError(await rejection(client.login({ redirect: false })), 'network_error')).toBe(true);
  });

  it('explicit endpoints skip discovery', async () => {
    const { issuer: _issuer, ...withoutIssuer } = base;
    const client = createAuthClient({
      ...withoutIssuer,
      endpoints: { authorization: 'https://as.example.test/authorize', token: 'https://as.example.test/token' },
    });
    const spy = vi.spyOn(globalThis, 'fetch');
    const url = new URL(await client.login({ redirect: false, returnTo: '/' }));
    expect(url.origin + url.pathname).toBe('https://as.example.test/authorize');
    expect(spy).not.toHaveBeenCalled();
  });
});
