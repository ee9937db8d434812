import { createAuthClient, isLatchkeyError } from '@latchkey/browser';
import { AuthCallback, AuthProvider, RequireAuth, useAuth, useAuthFetch } from '@latchkey/react';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';

// Created once, outside React.
const auth = createAuthClient({
  issuer: 'http://localhost:4000',
  clientId: 'latchkey-demo-spa',
  redirectUri: `${location.origin}/callback`,
  scope: 'openid profile email offline_access',
  dangerouslyAllowInsecureHttp: true, // the local provider speaks http; leave out with https
});

function App() {
  const [path, setPath] = useState(location.pathname);
  const go = (to: string) => {
    history.replaceState(null, '', to);
    setPath(location.pathname);
  };
  if (path === '/callback') {
    // Handles the callback once, StrictMode included, then goes back where the login started.
    return (
      <AuthCallback onDone={({ returnTo }) => go(returnTo)} onError={() => go('/')}>
        <p>Signing you in…</p>
      </AuthCallback>
    );
  }
  return path === '/profile' ? (
    <RequireAuth fallback={<p>Redirecting to the login page…</p>}>
      <Profile />
    </RequireAuth>
  ) : (
    <Home />
  );
}

function Home() {
  const { user, isAuthenticated, isLoading, error, login, logout } = useAuth();
  if (isLoading) return <p>Loading…</p>;
  return (
    <main>
      {error && <p role="alert">Login failed: {isLatchkeyError(error) ? error.code : error.message}</p>}
      {isAuthenticated ? (
        <>
          <p>Hello {String(user?.name ?? user?.sub)}</p>
          <Profile />
          <button onClick={() => void logout()}>Log out</button>
        </>
      ) : (
        <button onClick={() => void login()}>Log in</button>
      )}
    </main>
  );
}

function Profile() {
  const authFetch = useAuthFetch(); // adds the access token for the page's and the issuer's origins
  const [me, setMe] = useState('');
  const callApi = async () => setMe(await (await authFetch('http://localhost:4000/api/me')).text());
  return (
    <section>
      <button onClick={() => void callApi()}>Call the API</button>
      <pre>{me}</pre>
    </section>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AuthProvider client={auth}>
      <App />
    </AuthProvider>
  </StrictMode>,
);
