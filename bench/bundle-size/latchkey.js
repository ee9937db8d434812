// The typical SPA: log in, handle the callback, get a token, call an API.
import { createAuthClient } from '@latchkey/browser';

const auth = createAuthClient({
  issuer: 'https://id.example.com',
  clientId: 'spa',
  redirectUri: `${location.origin}/callback`,
});

export async function main() {
  if (location.pathname === '/callback') await auth.handleCallback();
  else if (!(await auth.start())) await auth.login();
  await auth.getAccessToken();
  return auth.fetch('/api/me');
}
