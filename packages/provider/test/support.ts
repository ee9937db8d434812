import * as oauth from 'oauth4webapi';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';
import type { TestProvider } from '../../../test-support/provider.js';

export const SPA = { clientId: 'spa', redirectUri: 'http://localhost:5173/callback' } as const;
export const WEB = { clientId: 'web', clientSecret: 'web-secret-0123456789', redirectUri: 'https://app.example.test/cb' } as const;
export const SERVICE = { clientId: 'service', clientSecret: 'service-secret-0123456789' } as const;
/** A resource server: it may introspect every client's tokens (RFC 7662 section 2.1). */
export const API = { clientId: 'api', clientSecret: 'api-secret-0123456789' } as const;

/** The clients every suite registers: a public SPA, a confidential web app and a machine client. */
export const TEST_CLIENTS = [
  { clientId: SPA.clientId, name: 'Test SPA', tokenEndpointAuthMethod: 'none' as const, redirectUris: [SPA.redirectUri] },
  {
    clientId: WEB.clientId,
    clientSecret: WEB.clientSecret,
    name: 'Test Web',
    redirectUris: [WEB.redirectUri, 'https://app.example.test/other'],
    postLogoutRedirectUris: ['https://app.example.test/bye'],
  },
  {
    clientId: SERVICE.clientId,
    clientSecret: SERVICE.clientSecret,
    tokenEndpointAuthMethod: 'client_secret_post' as const,
    grantTypes: ['client_credentials' as const],
    scopes: ['reports:read', 'reports:write'],
  },
  { ...API, grantTypes: ['client_credentials' as const], scopes: [], resourceServer: true },
];

export const insecure = { [oauth.allowInsecureRequests]: true } as const;

export async function discover(tp: TestProvider): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(tp.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oidc' }));
}

export interface AuthorizationStart {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** An authorization URL with state, nonce and PKCE S256; `extra` overrides or removes (`null`) parameters. */
export async function authorizationUrl(
  tp: Pick<TestProvider, 'issuer'>,
  client: { clientId: string; redirectUri: string },
  extra: Record<string, string | null> = {},
): Promise<AuthorizationStart> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const params: Record<string, string | null> = {
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope: 'openid profile email',
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  };
  const url = new URL(`${tp.issuer}/oauth/authorize`);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return { url, verifier, state, nonce };
}

/** Runs the user step and returns the callback URL's parameters. */
export async function authorize(start: AuthorizationStart, decision: 'allow' | 'deny' = 'allow'): Promise<URLSearchParams> {
  const result = await submitAuthorizeForm(start.url.toString(), { decision });
  if (result.location === null) throw new Error(`No redirect (HTTP ${result.status})`);
  return new URL(result.location).searchParams;
}

/** An authorization code for the client, with the verifier that redeems it. */
export async function obtainCode(
  tp: TestProvider,
  client: { clientId: string; redirectUri: string },
  extra: Record<string, string | null> = {},
): Promise<{ code: string; verifier: string; nonce: string }> {
  const start = await authorizationUrl(tp, client, extra);
  const params = await authorize(start);
  const code = params.get('code');
  if (code === null) throw new Error(`No code: ${params.toString()}`);
  return { code, verifier: start.verifier, nonce: start.nonce };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A raw form POST, as an attacker (or a careless client) would send it. */
export async function postForm(
  url: string,
  form: string | Record<string, string>,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

export function basic(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/** Exchanges a code as the public SPA client, raw. */
export function redeemAsSpa(tp: TestProvider, code: string, verifier: string, extra: Record<string, string> = {}): Promise<RawResponse> {
  return postForm(`${tp.issuer}/oauth/token`, {
    grant_type: 'authorization_code',
    client_id: SPA.clientId,
    code,
    redirect_uri: SPA.redirectUri,
    code_verifier: verifier,
    ...extra,
  });
}

export async function getMe(tp: TestProvider, accessToken: string): Promise<number> {
  const response = await fetch(`${tp.issuer}/api/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  await response.arrayBuffer();
  return response.status;
}

/** A confidential client of the tests, with its redirect URI on a made-up host of its own. */
export interface RelyingParty {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export const relyingParty = (clientId: string): RelyingParty => ({
  clientId,
  clientSecret: `${clientId}-secret-0123456789`,
  redirectUri: `https://${clientId}.example.test/cb`,
});
