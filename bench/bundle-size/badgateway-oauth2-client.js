// The same task with @badgateway/oauth2-client: log in, handle the callback, get a token, call an API.
// The library leaves storage to the app, so the app keeps the login state and tokens itself.
import { OAuth2Client, OAuth2Fetch, generateCodeVerifier } from '@badgateway/oauth2-client';

const client = new OAuth2Client({
  server: 'https://id.example.com',
  clientId: 'spa',
  discoveryEndpoint: '/.well-known/openid-configuration',
});
const redirectUri = `${location.origin}/callback`;
const TOKEN_KEY = 'tokens';

const wrapper = new OAuth2Fetch({
  client,
  // No stored token and no refresh token: the app must log in again.
  getNewToken: () => null,
  storeToken: (token) => localStorage.setItem(TOKEN_KEY, JSON.stringify(token)),
  getStoredToken: () => JSON.parse(localStorage.getItem(TOKEN_KEY) ?? 'null'),
});

export async function main() {
  if (location.pathname === '/callback') {
    const { state, codeVerifier } = JSON.parse(sessionStorage.getItem('login') ?? '{}');
    sessionStorage.removeItem('login');
    const token = await client.authorizationCode.getTokenFromCodeRedirect(location.href, { redirectUri, state, codeVerifier });
    localStorage.setItem(TOKEN_KEY, JSON.stringify(token));
  } else if (!localStorage.getItem(TOKEN_KEY)) {
    const codeVerifier = await generateCodeVerifier();
    const state = crypto.randomUUID();
    sessionStorage.setItem('login', JSON.stringify({ state, codeVerifier }));
    const url = await client.authorizationCode.getAuthorizeUri({ redirectUri, state, codeVerifier, scope: ['openid', 'offline_access'] });
    return location.assign(url);
  }
  await wrapper.getAccessToken();
  return wrapper.fetch('/api/me');
}
