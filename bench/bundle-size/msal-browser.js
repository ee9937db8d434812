// The same task with @azure/msal-browser: log in, handle the callback, get a token, call an API.
import { createStandardPublicClientApplication } from '@azure/msal-browser';

const scopes = ['openid', 'offline_access'];
const application = createStandardPublicClientApplication({
  auth: {
    clientId: 'spa',
    authority: 'https://id.example.com',
    knownAuthorities: ['id.example.com'],
    redirectUri: `${location.origin}/callback`,
  },
});

export async function main() {
  const msal = await application;
  const result = await msal.handleRedirectPromise();
  const account = result?.account ?? msal.getAllAccounts()[0];
  if (!account) return msal.loginRedirect({ scopes });
  const { accessToken } = await msal.acquireTokenSilent({ scopes, account });
  return fetch('/api/me', { headers: { authorization: `Bearer ${accessToken}` } });
}
