// The same task with oidc-client-ts: log in, handle the callback, get a token, call an API.
import { UserManager } from 'oidc-client-ts';

const manager = new UserManager({
  authority: 'https://id.example.com',
  client_id: 'spa',
  redirect_uri: `${location.origin}/callback`,
  scope: 'openid offline_access',
});

export async function main() {
  if (location.pathname === '/callback') await manager.signinRedirectCallback();
  let user = await manager.getUser();
  if (!user) return manager.signinRedirect();
  // signinSilent uses the refresh token when the user has one.
  if (user.expired) user = await manager.signinSilent();
  return fetch('/api/me', { headers: { authorization: `Bearer ${user.access_token}` } });
}
