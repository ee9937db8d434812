// A small SPA with DPoP-bound tokens, as an app would write it; the Chromium tests click its buttons.
import { createAuthClient, isLatchkeyError } from '@latchkey/browser';
import { createDPoP } from '@latchkey/browser/dpop';

interface PageConfig {
  issuer: string;
  clientId: string;
  /** Where this app lives on the origin, e.g. `/app` (its callback is `${base}/callback`). */
  base: string;
  refreshSkew: number;
  /** The resource `#me-call` fetches: the provider's `/api/me` or an OP's userinfo endpoint. */
  api: string;
}

const config = JSON.parse(document.getElementById('config')!.textContent!) as PageConfig;
const show = (id: string, text: string) => (document.getElementById(id)!.textContent = text);
const code = (error: unknown) => (isLatchkeyError(error) ? error.code : String(error));

const auth = createAuthClient({
  issuer: config.issuer,
  clientId: config.clientId,
  redirectUri: `${location.origin}${config.base}/callback`,
  scope: 'openid profile email offline_access',
  refreshSkewSeconds: config.refreshSkew,
  dpop: createDPoP(),
  // The providers of these tests run on plain http on 127.0.0.1.
  dangerouslyAllowInsecureHttp: true,
});

const showExpiry = () => show('expires-at', String(auth.expiresAtMs ?? ''));
auth.on('login', ({ user }) => show('status', `logged-in:${user?.sub ?? '?'}`));
auth.on('logout', ({ reason }) => show('status', `logged-out:${reason}`));
auth.on('tokens', showExpiry);
auth.on('error', (error) => show('error', error.code));

document.getElementById('login')!.addEventListener('click', () => void auth.login({ returnTo: `${config.base}/home` }));
document
  .getElementById('logout')!
  .addEventListener('click', () => void auth.logout().catch((error: unknown) => show('error', code(error))));
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
