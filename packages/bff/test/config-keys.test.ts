import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isLatchkeyError } from '@latchkey/common';
import { hmacSha256 } from '@latchkey/oauth1';
import { MissingConfigError, OAuthRegistry, presets, type ClientConfig, type PresetName } from '@latchkey/bff';
import { exampleEndpoints, thrown } from './config-checks.js';

/**
 * `register()` checks every key it is given or reads from the environment, so a typo or a wrong type
 * fails at start-up with the key named, not at the first login (or never, leaving a default in place).
 */

const oauth2: ClientConfig = { clientId: 'c', clientSecret: 's', ...exampleEndpoints };
const oauth1: ClientConfig = { ...oauth2, requestTokenUrl: 'https://id.example/initiate' };
const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** The option a registration is refused for; fails the test when it registers. */
function refusedOption(config: ClientConfig, env: Record<string, string> = {}, name = 'p'): string | undefined {
  const error = thrown(() => new OAuthRegistry({ env }).register(name, config));
  expect(isLatchkeyError(error, 'configuration_error')).toBe(true);
  return (error as { option?: string }).option;
}

describe('register() checks every key', () => {
  it('refuses an OAuth 1 signature method it cannot sign with, given or from {NAME}_CLIENT_KWARGS', () => {
    expect(refusedOption({ ...oauth1, clientKwargs: { signatureMethod: 'HMAC-SHA-1' } })).toBe('clientKwargs.signatureMethod');
    expect(refusedOption(oauth1, { P_CLIENT_KWARGS: '{"signatureMethod":"HMAC-SHA-1"}' })).toBe('clientKwargs.signatureMethod');
    expect(refusedOption({ ...oauth1, clientKwargs: { signatureMethod: 7 as never } })).toBe('clientKwargs.signatureMethod');
    for (const signatureMethod of ['HMAC-SHA1', 'PLAINTEXT']) {
      new OAuthRegistry({ env: {} }).register('p', { ...oauth1, clientKwargs: { signatureMethod } });
    }
  });

  it("takes other OAuth 1 signature methods from this registry's extraSignatureMethods only", () => {
    const sha256 = { ...oauth1, clientKwargs: { signatureMethod: 'HMAC-SHA256' } };
    expect(refusedOption(sha256)).toBe('clientKwargs.signatureMethod');
    const registry = new OAuthRegistry({ env: {}, extraSignatureMethods: { 'HMAC-SHA256': hmacSha256 } });
    registry.register('p', sha256);
    expect(registry.runtime('p').config.clientKwargs).toMatchObject({ signatureMethod: 'HMAC-SHA256' });
    // Another registry in the same process does not see them.
    expect(refusedOption(sha256)).toBe('clientKwargs.signatureMethod');
    const refused = thrown(() => new OAuthRegistry({ extraSignatureMethods: { 'HMAC-SHA1': hmacSha256 } }));
    expect(refused).toMatchObject({ code: 'configuration_error', option: 'extraSignatureMethods' });
  });

  it('refuses an rsaKey that is not an RSA private key in PEM, or that nothing would use', () => {
    const rsa = (rsaKey: unknown) => ({ ...oauth1, clientKwargs: { signatureMethod: 'RSA-SHA1', rsaKey: rsaKey as string } });
    expect(refusedOption(rsa(42))).toBe('clientKwargs.rsaKey');
    expect(refusedOption(rsa('-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----'))).toBe('clientKwargs.rsaKey');
    expect(refusedOption(rsa(ecPem))).toBe('clientKwargs.rsaKey');
    expect(refusedOption(oauth1, { P_CLIENT_KWARGS: JSON.stringify({ signatureMethod: 'RSA-SHA1', rsaKey: 42 }) })).toBe(
      'clientKwargs.rsaKey',
    );
    expect(refusedOption({ ...oauth1, clientKwargs: { rsaKey: rsaPem } })).toBe('clientKwargs.rsaKey');
    const registry = new OAuthRegistry({ env: { P_CLIENT_KWARGS: JSON.stringify({ signatureMethod: 'RSA-SHA1', rsaKey: rsaPem }) } });
    const { clientSecret: _secret, ...withoutSecret } = oauth1;
    registry.register('p', withoutSecret);
    expect(registry.runtime('p').config.clientKwargs).toMatchObject({ signatureMethod: 'RSA-SHA1' });
  });

  it('refuses unknown keys, top level and in clientKwargs, given or from the environment', () => {
    expect(refusedOption({ ...oauth2, clientSecrt: 's' } as ClientConfig)).toBe('clientSecrt');
    expect(refusedOption({ ...oauth2, clientKwargs: { tokenPlacment: 'query' } as never })).toBe('clientKwargs.tokenPlacment');
    expect(refusedOption(oauth2, { P_CLIENT_KWARGS: '{"scopes":"openid"}' })).toBe('clientKwargs.scopes');
    expect(refusedOption({ ...oauth2, complianceFix: { accessTokenRespons: (response: Response) => response } as never })).toBe(
      'complianceFix.accessTokenRespons',
    );
  });

  it('refuses keys of the other protocol, which would do nothing', () => {
    expect(refusedOption({ ...oauth2, clientKwargs: { signatureMethod: 'HMAC-SHA1' } })).toBe('clientKwargs.signatureMethod');
    expect(refusedOption({ ...oauth1, clientKwargs: { tokenPlacement: 'query' } })).toBe('clientKwargs.tokenPlacement');
    expect(refusedOption(oauth1, { P_REFRESH_TOKEN_URL: 'https://id.example/refresh' })).toBe('refreshTokenUrl');
    expect(refusedOption({ ...oauth2, requestTokenParams: { x: 'y' } })).toBe('requestTokenParams');
  });

  it('refuses values of the wrong type with the key named', () => {
    expect(refusedOption({ ...oauth2, clientId: 42 as never })).toBe('clientId');
    expect(refusedOption({ ...oauth2, apiBaseUrl: ['https://api.example/'] as never })).toBe('apiBaseUrl');
    expect(refusedOption({ ...oauth2, fetchToken: 'load' as never })).toBe('fetchToken');
    expect(refusedOption({ ...oauth2, complianceFix: { protectedRequest: {} } as never })).toBe('complianceFix.protectedRequest');
    expect(refusedOption({ ...oauth2, clientKwargs: 'scope=openid' as never })).toBe('clientKwargs');
    expect(refusedOption(oauth2, { P_CLIENT_KWARGS: '{"timeoutMs":"5000"}' })).toBe('clientKwargs.timeoutMs');
    expect(refusedOption(oauth2, { P_CLIENT_KWARGS: '{"dangerouslyAllowInsecureHttp":"yes"}' })).toBe(
      'clientKwargs.dangerouslyAllowInsecureHttp',
    );
    expect(refusedOption({ ...oauth2, clientKwargs: { scope: ['openid'] as never } })).toBe('clientKwargs.scope');
    expect(
      refusedOption({ ...oauth2, clientKwargs: { clientPrivateKey: { key: 'pem' } as never, tokenEndpointAuthMethod: 'private_key_jwt' } }),
    ).toBe('clientKwargs.clientPrivateKey');
  });
});

describe('a missing OAuth 2 client secret', () => {
  it('refuses registration instead of turning the client public, naming the way to say it is public', () => {
    const error = thrown(() => new OAuthRegistry({ env: {} }).register('spa', { clientId: 'c', ...exampleEndpoints }));
    expect(error).toBeInstanceOf(MissingConfigError);
    expect(error).toMatchObject({ code: 'configuration_error', option: 'clientSecret', envVar: 'SPA_CLIENT_SECRET' });
    expect((error as Error).message).toContain('tokenEndpointAuthMethod');
    // From the environment alike: an empty variable is no secret.
    expect(refusedOption({ clientId: 'c', ...exampleEndpoints }, { P_CLIENT_SECRET: '' })).toBe('clientSecret');
  });

  it('registers a public client that says tokenEndpointAuthMethod none, given or from the environment', () => {
    const registry = new OAuthRegistry({ env: { ENVPUBLIC_CLIENT_KWARGS: '{"tokenEndpointAuthMethod":"none"}' } });
    registry.register('public', { clientId: 'c', ...exampleEndpoints, clientKwargs: { tokenEndpointAuthMethod: 'none' } });
    registry.register('envpublic', { clientId: 'c', ...exampleEndpoints });
    for (const name of ['public', 'envpublic']) {
      expect(registry.runtime(name).config).toMatchObject({ clientSecret: undefined, clientKwargs: { tokenEndpointAuthMethod: 'none' } });
    }
  });

  it('leaves every preset registrable with its credentials, public X and Reddit installed apps included', () => {
    const names = Object.keys(presets) as PresetName[];
    const registry = new OAuthRegistry({ env: {} });
    const credentials = { clientId: 'id', clientSecret: 'secret' };
    const options: Partial<Record<PresetName, object>> = {
      auth0: { domain: 'tenant.auth0.com' },
      okta: { domain: 'dev.okta.com' },
      keycloak: { baseUrl: 'https://sso.example', realm: 'r' },
      oidc: { issuer: 'https://id.example' },
    };
    for (const name of names) {
      const preset = presets[name] as (input: object) => ClientConfig;
      registry.register(name.toLowerCase(), preset({ ...credentials, ...options[name] }));
    }
    registry.register('x-public', presets.twitter({ clientId: 'id', clientKwargs: { tokenEndpointAuthMethod: 'none' } }));
    registry.register('reddit-app', presets.reddit({ clientId: 'id', installedApp: true }));
    expect(registry.runtime('reddit-app').config.clientKwargs).toMatchObject({
      emptyClientSecret: true,
      tokenEndpointAuthMethod: 'client_secret_basic',
    });
    expect(registry.names()).toHaveLength(names.length + 2);
    // A preset whose secret is missing is refused like any other client.
    expect(thrown(() => registry.register('gh', presets.github({ clientId: 'id' })))).toMatchObject({
      option: 'clientSecret',
      envVar: 'GH_CLIENT_SECRET',
    });
  });
});

describe('PKCE can only be turned off by a dangerous name', () => {
  it("refuses codeChallengeMethod 'none' and names dangerouslyDisablePkce", () => {
    const error = thrown(() =>
      new OAuthRegistry({ env: {} }).register('p', { ...oauth2, clientKwargs: { codeChallengeMethod: 'none' as never } }),
    );
    expect(error).toMatchObject({ code: 'configuration_error', option: 'clientKwargs.codeChallengeMethod' });
    expect((error as Error).message).toContain('dangerouslyDisablePkce');
    expect(refusedOption(oauth2, { P_CLIENT_KWARGS: '{"codeChallengeMethod":"none"}' })).toBe('clientKwargs.codeChallengeMethod');
    expect(refusedOption(oauth2, { P_CLIENT_KWARGS: '{"codeChallengeMethod":"plain"}' })).toBe('clientKwargs.codeChallengeMethod');
    expect(refusedOption({ ...oauth2, clientKwargs: { dangerouslyDisablePkce: 'true' as never } })).toBe(
      'clientKwargs.dangerouslyDisablePkce',
    );
  });

  it('sends no code_challenge with dangerouslyDisablePkce, and S256 otherwise', async () => {
    const registry = new OAuthRegistry({ env: {} });
    registry.register('nopkce', { ...oauth2, clientKwargs: { dangerouslyDisablePkce: true } });
    registry.register('pkce', oauth2);
    const url = async (name: string) => (await registry.runtime(name).oauth2?.authorizationUrl('https://app.example/cb'))?.url;
    const without = await url('nopkce');
    expect(without?.searchParams.has('state')).toBe(true);
    expect(without?.searchParams.has('code_challenge')).toBe(false);
    expect((await url('pkce'))?.searchParams.get('code_challenge_method')).toBe('S256');
  });
});
