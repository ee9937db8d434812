// A tiny SPA that uses the SDK the way an app would; the Chromium test drives it with clicks.
import { createAuthClient, isLatchkeyError } from '@latchkey/browser';

interface PageConfig {
  issuer: string;
  clientId: string;
}

const config = JSON.parse(document.getElementById('config')!.textContent!) as PageConfig;
const show = (id: string, text: string) => (document.getElementById(id)!.textContent = text);

const auth = createAuthClient({
  issuer: config.issuer,
  clientId: config.clientId,
  redirectUri: `${location.origin}/app/callback`,
  scope: 'openid profile email offline_access',
  // The test provider runs on plain http on 127.0.0.1.
  dangerouslyAllowInsecureHttp: true,
});

auth.on('login', ({ user }) => show('status', `logged-in:${user?.sub ?? '?'}`));
auth.on('logout', ({ reason }) => show('status', `logged-out:${reason}`));

document.getElementById('login')!.addEventListener('click', () => void auth.login({ returnTo: '/app/home' }));
document.getElementById('logout')!.addEventListener('click', () => void auth.logout());
document.getElementById('me-call')!.addEventListener('click', async () => {
  const response = await auth.fetch(`${config.issuer}/api/me`);
  const body = (await response.json()) as { name?: string };
  show('me', `${response.status}:${body.name ?? ''}`);
});

async function main(): Promise<void> {
  if (location.pathname === '/app/callback') {
    const { returnTo } = await auth.handleCallback();
    history.replaceState(null, '', returnTo);
  }
  const user = await auth.start();
  show('status', user ? `logged-in:${user.sub}` : 'logged-out');
}

main().catch((error: unknown) => show('status', `error:${isLatchkeyError(error) ? error.code : String(error)}`));
