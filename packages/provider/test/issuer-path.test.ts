import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { createProvider } from '@latchkey/provider';
import type { RequestListener } from 'node:http';
import { listen } from '../../../test-support/listen.js';
import { SPA, authorize, authorizationUrl, insecure } from './support.js';

describe('an issuer with a path', () => {
  it('serves every endpoint under the path and RFC 8414 metadata with the path inserted', async () => {
    let handler: RequestListener = (_req, res) => res.end();
    const server = await listen((req, res) => handler(req, res));
    try {
      const provider = await createProvider({
        issuer: `${server.url}/idp`,
        users: [{ sub: 'u-1', username: 'alice', password: 'wonderland' }],
        clients: [{ clientId: SPA.clientId, tokenEndpointAuthMethod: 'none', redirectUris: [SPA.redirectUri] }],
      });
      handler = provider.app.callback();
      const issuer = new URL(provider.issuer);
      for (const algorithm of ['oidc', 'oauth2'] as const) {
        const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm }));
        expect(as.token_endpoint).toBe(`${server.url}/idp/oauth/token`);
      }
      const start = await authorizationUrl(provider, SPA);
      const callback = await authorize(start);
      expect(callback.get('iss')).toBe(`${server.url}/idp`);
      expect(callback.get('code')).not.toBeNull();
    } finally {
      await server.close();
    }
  });
});
