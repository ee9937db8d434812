// The same task with @auth0/auth0-spa-js: log in, handle the callback, get a token, call an API.
import { Auth0Client } from '@auth0/auth0-spa-js';

const auth0 = new Auth0Client({
  domain: 'id.example.com',
  clientId: 'spa',
  authorizationParams: { redirect_uri: `${location.origin}/callback` },
  // Refresh tokens kept across reloads, as the other clients do.
  useRefreshTokens: true,
  cacheLocation: 'localstorage',
});

export async function main() {
  if (location.pathname === '/callback') await auth0.handleRedirectCallback();
  else if (!(await auth0.isAuthenticated())) return auth0.loginWithRedirect();
  const token = await auth0.getTokenSilently();
  return fetch('/api/me', { headers: { authorization: `Bearer ${token}` } });
}
