import { generateKeyPairSync } from 'node:crypto';
import { isLatchkeyError, type ConfigurationError } from '@latchkey/common';
import { describe, expect, it } from 'vitest';
import { createProvider } from './create-provider.js';
import type { ProviderOptions } from './options.js';

async function optionError(options: ProviderOptions): Promise<string> {
  try {
    await createProvider(options);
  } catch (error) {
    if (isLatchkeyError(error, 'configuration_error')) return (error as ConfigurationError).option;
    throw error;
  }
  return 'accepted';
}

describe('createProvider options', () => {
  it('names the bad option with a ConfigurationError', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(await optionError({} as ProviderOptions)).toBe('issuer');
    expect(await optionError({ issuer: 'not a url' })).toBe('issuer');
    expect(await optionError({ issuer: 'https://id.example.test/?tenant=1' })).toBe('issuer');
    expect(await optionError({ issuer: 'https://id.example.test', lifetimes: { accessToken: 0 } })).toBe('lifetimes.accessToken');
    expect(await optionError({ issuer: 'https://id.example.test', keys: publicKey })).toBe('keys[0]');
    expect(await optionError({ issuer: 'https://id.example.test', clients: [{ redirectUris: ['/relative'] }] })).toBe('redirectUris');
    expect(await optionError({ issuer: 'https://id.example.test', adminToken: 'short' })).toBe('adminToken');
    expect(await optionError({ issuer: 'https://id.example.test/', keys: privateKey })).toBe('accepted');
  });

  it('does not mutate the caller options and strips a trailing slash from the issuer', async () => {
    const options: ProviderOptions = {
      issuer: 'https://id.example.test/',
      features: { plainPkce: true },
      clients: [{ clientId: 'c', redirectUris: ['https://c.example/cb'] }],
    };
    const snapshot = structuredClone(options);
    const provider = await createProvider(options);
    expect(provider.issuer).toBe('https://id.example.test');
    expect(options).toEqual(snapshot);
  });
});
