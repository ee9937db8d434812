// The typical SPA with DPoP-bound tokens: the same job as latchkey.js, with a proof of a per-login key on
// the code exchange, every refresh and every API call.
import { createAuthClient } from '@latchkey/browser';
import { createDPoP } from '@latchkey/browser/dpop';

const auth = createAuthClient({
  issuer: 'https://id.example.com',
  clientId: 'spa',
  redirectUri: `${location.origin}/callback`,
  dpop: createDPoP(),
});

export async function main() {
  if (location.pathname === '/callback') await auth.handleCallback();
  else if (!(await auth.start())) await auth.login();
  await auth.getAccessToken();
  return auth.fetch('/api/me');
}
