import { randomBytes } from 'node:crypto';
import type { ClientInput } from './clients/client-registry.js';

export interface DemoClientsOptions {
  /** Origin of the single-page app. Default `http://localhost:5173`. */
  spaOrigin?: string;
  /** Origin of the backend-for-frontend (often the SPA's, behind the dev server's proxy). Default: `spaOrigin`. */
  bffOrigin?: string;
}

/** Client ids of the demo clients. */
export const DEMO_CLIENT_IDS = { spa: 'latchkey-demo-spa', bff: 'latchkey-demo-bff', oauth1: 'latchkey-demo-oauth1' } as const;

/**
 * The demo's three clients: a public SPA client (PKCE, no secret), a confidential client for the BFF,
 * and an OAuth 1.0a consumer for the BFF. Secrets are random per call: nothing guessable ships.
 */
export function demoClients(options: DemoClientsOptions = {}): ClientInput[] {
  const spa = (options.spaOrigin ?? 'http://localhost:5173').replace(/\/+$/, '');
  const bff = (options.bffOrigin ?? spa).replace(/\/+$/, '');
  return [
    {
      clientId: DEMO_CLIENT_IDS.spa,
      name: 'Latchkey demo (SPA)',
      tokenEndpointAuthMethod: 'none',
      redirectUris: [`${spa}/callback`],
      postLogoutRedirectUris: [`${spa}/`],
    },
    {
      clientId: DEMO_CLIENT_IDS.bff,
      clientSecret: randomBytes(24).toString('base64url'),
      name: 'Latchkey demo (BFF)',
      tokenEndpointAuthMethod: 'client_secret_basic',
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      redirectUris: [`${bff}/bff/callback/latchkey`],
      postLogoutRedirectUris: [`${spa}/`],
    },
    {
      clientId: DEMO_CLIENT_IDS.oauth1,
      clientSecret: randomBytes(24).toString('base64url'),
      name: 'Latchkey demo (OAuth 1.0a)',
      tokenEndpointAuthMethod: 'client_secret_basic',
      oauth1: { callbackUris: [`${bff}/bff/callback/latchkey-oauth1`] },
    },
  ];
}
