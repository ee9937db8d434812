// The test SPA on the browser SDK, as an app would write it; its page's config picks the SDK's options
// and the Chromium tests click its buttons.
import { createAuthClient, isLatchkeyError } from '@latchkey/browser';
import { createDPoP } from '@latchkey/browser/dpop';
import type { SpaPageConfig } from './serve.js';

const config = JSON.parse(document.getElementById('config')!.textContent!) as SpaPageConfig;
const show = (id: string, text: string) => (document.getElementById(id)!.textContent = text);
const code = (error: unknown) => (isLatchkeyError(error) ? error.code : String(error));

const auth = createAuthClient({
  issuer: config.issuer,
  clientId: config.clientId,
  redirectUri: `${location.origin}${config.base}/callback`,
  scope: config.scope,
  refreshSkewSeconds: config.refreshSkew,
  pushedAuthorizationRequests: config.pushedAuthorizationRequests,
  ...(config.dpop ? { dpop: createDPoP() } : {}),
  // The providers of these tests run on plain http on 127.0.0.1.
  dangerouslyAllowInsecureHttp: true,
});

const showExpiry = () => show('expires-at', String(auth.expiresAtMs ?? ''));
auth.on('login', ({ user }) => show('status', `logged-in:${user?.sub ?? '?'}`));
auth.on('logout', ({ reason }) => show('status', `logged-out:${reason}`));
auth.on('tokens', showExpiry);
auth.on('error', (error) => show('error', error.code));

document.getElementById('login')!.addEventListener('click', () => {
  void auth.login({ returnTo: `${config.base}/home` }).catch((error: unknown) => show('error', code(error)));
});
document
  .getElementById('logout')!
  .addEventListener('click', () => void auth.logout().catch((error: unknown) => show('error', code(error))));
document.getElementById('end-session')!.addEventListener('click', () => {
  void auth.logout({ endSession: true, returnTo: `${config.base}/bye` }).catch((error: unknown) => show('error', code(error)));
});
document.getElementById('me-call')!.addEventListener('click', async () => {
  show('me', 'calling');
  try {
    const response = await auth.fetch(config.api);
    const body = (await response.json()) as { name?: string };
    show('me', `${response.status}:${body.name ?? ''}`);
  } catch (error) {
    show('me', `error:${code(error)}`);
  }
});

async function main(): Promise<void> {
  if (location.pathname === `${config.base}/callback`) {
    const { returnTo } = await auth.handleCallback();
    history.replaceState(null, '', returnTo);
  }
  const user = await auth.start();
  showExpiry();
  show('status', user ? `logged-in:${user.sub}` : 'logged-out');
}

main().catch((error: unknown) => show('status', `error:${code(error)}`));
