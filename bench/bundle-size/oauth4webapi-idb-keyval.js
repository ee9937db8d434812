// The floor: the same task written by hand on bare oauth4webapi + idb-keyval, the two libraries
// @latchkey/browser is built on. It has what the job needs (discovery, PKCE, state and nonce, the code
// exchange, stored tokens, refresh with one request in flight) and none of the SDK's extras (cross-tab
// lock, 401 retry, events, logout, distinct error codes, wake-up checks).
import * as oauth from 'oauth4webapi';
import { del, get, set } from 'idb-keyval';

const issuer = new URL('https://id.example.com');
const client = { client_id: 'spa' };
const clientAuth = oauth.None();
const redirectUri = `${location.origin}/callback`;

let metadata;
const server = async () => (metadata ??= await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer)));

const save = (tokens, previous) =>
  set('tokens', {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? previous?.refreshToken,
    expiresAt: Date.now() + (tokens.expires_in ?? 0) * 1000,
  });

async function login() {
  const as = await server();
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  await set(`login:${state}`, { verifier, nonce });
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid offline_access',
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url);
}

async function handleCallback() {
  const as = await server();
  const url = new URL(location.href);
  const state = url.searchParams.get('state');
  const login = state && (await get(`login:${state}`));
  if (!login) throw new Error('Unknown login state');
  await del(`login:${state}`);
  const params = oauth.validateAuthResponse(as, client, url, state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, login.verifier);
  await save(await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: login.nonce, requireIdToken: true }));
  history.replaceState(null, '', '/');
}

let refreshing;
async function getAccessToken() {
  const tokens = await get('tokens');
  if (tokens.expiresAt - 60_000 > Date.now()) return tokens.accessToken;
  refreshing ??= (async () => {
    const as = await server();
    const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refreshToken);
    await save(await oauth.processRefreshTokenResponse(as, client, response), tokens);
  })().finally(() => (refreshing = undefined));
  await refreshing;
  return (await get('tokens')).accessToken;
}

export async function main() {
  if (location.pathname === '/callback') await handleCallback();
  else if (!(await get('tokens'))) return login();
  const token = await getAccessToken();
  return fetch('/api/me', { headers: { authorization: `Bearer ${token}` } });
}
