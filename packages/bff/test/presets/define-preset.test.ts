import { describe, expect, it } from 'vitest';
import { OAuthRegistry, presets, type PresetName } from '@latchkey/bff';
import { buildPreset, type PresetDefinition } from '../../src/presets/define-preset.js';

const definition: PresetDefinition = {
  displayName: 'Example',
  endpoints: { authorizeUrl: 'https://example.com/authorize', accessTokenUrl: 'https://example.com/token' },
  defaultScopes: ['read', 'write'],
  scopeDelimiter: ' ',
  tokenEndpointAuthMethod: 'client_secret_basic',
  allowedAuthMethods: ['client_secret_basic'],
  authorizeParams: { prompt: 'consent' },
};

describe('buildPreset', () => {
  it('joins scopes with the provider’s delimiter and lets the caller replace them', () => {
    expect(buildPreset(definition).clientKwargs?.scope).toBe('read write');
    expect(buildPreset({ ...definition, scopeDelimiter: ',' }).clientKwargs?.scope).toBe('read,write');
    expect(buildPreset(definition, { scopes: ['admin'] }).clientKwargs?.scope).toBe('admin');
    expect(buildPreset(definition, { scopes: [] }).clientKwargs).not.toHaveProperty('scope');
  });

  it('refuses a scope with a delimiter in it, and scope through clientKwargs', () => {
    expect(() => buildPreset(definition, { scopes: ['a b'] })).toThrow(expect.objectContaining({ option: 'scopes' }));
    expect(() => buildPreset(definition, { clientKwargs: { scope: 'a' } })).toThrow(
      expect.objectContaining({ option: 'clientKwargs.scope' }),
    );
  });

  it('merges the caller’s kwargs and params over the preset’s, keeping a required client authentication', () => {
    const config = buildPreset(definition, { clientKwargs: { timeoutMs: 2000 }, authorizeParams: { login_hint: 'a@example.com' } });
    expect(config.clientKwargs).toEqual({ tokenEndpointAuthMethod: 'client_secret_basic', timeoutMs: 2000, scope: 'read write' });
    expect(config.authorizeParams).toEqual({ prompt: 'consent', login_hint: 'a@example.com' });
    expect(() => buildPreset(definition, { clientKwargs: { tokenEndpointAuthMethod: 'client_secret_post' } })).toThrow(
      expect.objectContaining({ code: 'configuration_error', option: 'clientKwargs.tokenEndpointAuthMethod' }),
    );
  });

  it('leaves credentials out unless given, so the registry reads them from the environment', () => {
    const config = buildPreset(definition);
    expect(config).not.toHaveProperty('clientId');
    expect(config).not.toHaveProperty('clientSecret');
    expect(buildPreset(definition, { clientId: 'id', clientSecret: 'secret', displayName: 'Mine' })).toMatchObject({
      clientId: 'id',
      clientSecret: 'secret',
      displayName: 'Mine',
    });
  });

  it('hands a comma delimiter to the core as clientKwargs.scopeDelimiter, with no token answer rewrite', () => {
    const comma = buildPreset({ ...definition, scopeDelimiter: ',' });
    expect(comma.clientKwargs).toMatchObject({ scope: 'read,write', scopeDelimiter: ',' });
    expect(comma.complianceFix).toEqual({});
    expect(buildPreset(definition).clientKwargs).not.toHaveProperty('scopeDelimiter');
    // The caller may name another delimiter; the scopes are joined with it.
    expect(buildPreset({ ...definition, scopeDelimiter: ',' }, { clientKwargs: { scopeDelimiter: ' ' } }).clientKwargs).toMatchObject({
      scope: 'read write',
      scopeDelimiter: ' ',
    });
  });
});

describe('presets with credentials from the environment', () => {
  const names = Object.keys(presets) as PresetName[];
  const needsIssuer: PresetName[] = ['oidc', 'auth0', 'okta', 'keycloak'];

  it('every preset registers with no arguments, reading {NAME}_CLIENT_ID and {NAME}_CLIENT_SECRET', () => {
    for (const name of names) {
      const env: Record<string, string> = {
        [`${name.toUpperCase()}_CLIENT_ID`]: `${name}-id`,
        [`${name.toUpperCase()}_CLIENT_SECRET`]: `${name}-secret`,
      };
      if (needsIssuer.includes(name))
        env[`${name.toUpperCase()}_SERVER_METADATA_URL`] = 'https://id.example.com/.well-known/openid-configuration';
      const registry = new OAuthRegistry({ env });
      registry.register(name.toLowerCase(), presets[name]());
      const config = registry.runtime(name.toLowerCase()).config;
      expect(config.clientId).toBe(`${name}-id`);
      expect(config.clientSecret).toBe(`${name}-secret`);
    }
  });

  it('names the missing environment variable', () => {
    const registry = new OAuthRegistry({ env: {} });
    expect(() => registry.register('github', presets.github())).toThrow(
      expect.objectContaining({ code: 'configuration_error', option: 'clientId', envVar: 'GITHUB_CLIENT_ID' }),
    );
    expect(() => registry.register('reddit', presets.reddit({ clientId: 'id' }))).toThrow(
      expect.objectContaining({ option: 'clientSecret', envVar: 'REDDIT_CLIENT_SECRET' }),
    );
  });

  it('gives every preset a display name and https endpoints', () => {
    for (const name of names.filter((entry) => !needsIssuer.includes(entry))) {
      const config = presets[name]();
      expect(config.displayName).toBeTruthy();
      for (const key of [
        'authorizeUrl',
        'accessTokenUrl',
        'apiBaseUrl',
        'serverMetadataUrl',
        'requestTokenUrl',
        'revokeTokenUrl',
      ] as const) {
        if (config[key] !== undefined) expect(new URL(config[key] as string).protocol).toBe('https:');
      }
    }
  });
});
