import { createAuthClient, isLatchkeyError } from '@latchkey/browser';

const auth = createAuthClient({
  issuer: 'http://localhost:4000',
  clientId: 'latchkey-demo-spa',
  redirectUri: `${location.origin}/callback`,
  scope: 'openid profile email offline_access',
  // The local provider speaks plain http; leave this out with an https issuer.
  dangerouslyAllowInsecureHttp: true,
});

const output = document.querySelector('#output')!;
const show = (text: string) => (output.textContent = text);

auth.on('login', ({ user }) => show(`Logged in as ${user?.name ?? user?.sub}`));
auth.on('logout', ({ reason }) => show(`Logged out (${reason})`));
auth.on('error', (error) => show(`Background error: ${error.code}`));

document.querySelector('#login')!.addEventListener('click', () => void auth.login());
document.querySelector('#logout')!.addEventListener('click', () => void auth.logout());
document.querySelector('#call-api')!.addEventListener('click', async () => {
  // fetch() adds the access token for the page's origin and the issuer's (see apiOrigins).
  const response = await auth.fetch('http://localhost:4000/api/me');
  show(JSON.stringify(await response.json()));
});

try {
  // On the redirect URI: finish the login, then return to the page it started from.
  if (location.pathname === '/callback') {
    const { returnTo } = await auth.handleCallback();
    history.replaceState(null, '', returnTo);
  }
  // Loads the stored session and follows other tabs (login, refresh, logout there).
  const user = await auth.start();
  show(user ? `Logged in as ${user.name ?? user.sub}` : 'Logged out');
} catch (error) {
  show(isLatchkeyError(error) ? `Login failed: ${error.code}` : String(error));
}
