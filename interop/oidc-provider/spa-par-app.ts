// The SPA of the PAR tests, as an app would write it: its page names the provider and whether to push.
import { createAuthClient, isLatchkeyError } from '@latchkey/browser';

interface PageConfig {
  issuer: string;
  clientId: string;
  /** Where this app lives on the origin, e.g. `/par` (its callback is `${base}/callback`). */
  base: string;
  pushedAuthorizationRequests: boolean;
}

const config = JSON.parse(document.getElementById('config')!.textContent!) as PageConfig;
const show = (id: string, text: string) => (document.getElementById(id)!.textContent = text);
const code = (error: unknown) => (isLatchkeyError(error) ? error.code : String(error));

const auth = createAuthClient({
  issuer: config.issuer,
  clientId: config.clientId,
  redirectUri: `${location.origin}${config.base}/callback`,
  scope: 'openid profile email',
  pushedAuthorizationRequests: config.pushedAuthorizationRequests,
  // The OP runs on plain http on 127.0.0.1.
  dangerouslyAllowInsecureHttp: true,
});

auth.on('login', ({ user }) => show('status', `logged-in:${user?.sub ?? '?'}`));
auth.on('error', (error) => show('error', error.code));

document.getElementById('login')!.addEventListener('click', () => {
  void auth.login({ returnTo: `${config.base}/home` }).catch((error: unknown) => show('error', code(error)));
});
document.getElementById('me-call')!.addEventListener('click', async () => {
  show('me', 'calling');
  try {
    const response = await auth.fetch(`${config.issuer}/me`);
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
  show('status', user ? `logged-in:${user.sub}` : 'logged-out');
}

main().catch((error: unknown) => show('status', `error:${code(error)}`));
