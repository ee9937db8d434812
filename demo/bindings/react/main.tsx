// @latchkey/react in a small app of its own: a PKCE login (handled once under StrictMode), the API
// through useAuthFetch, and the BFF's OAuth 1.0a login through useBffSession.
import '../bindings.css';
import { createAuthClient, isLatchkeyError } from '@latchkey/browser';
import { createBffClient } from '@latchkey/browser/bff';
import { AuthCallback, AuthProvider, BffProvider, useAuth, useAuthFetch, useBffSession } from '@latchkey/react';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { DEMO_CONFIG_PATH, type DemoConfig } from '../../src/demo-config.js';

const BASE = '/bindings/react/';
const config = (await (await fetch(DEMO_CONFIG_PATH)).json()) as DemoConfig;

// Created once, outside React.
const auth = createAuthClient({
  issuer: config.issuer,
  clientId: config.bindingClientIds.react,
  redirectUri: `${location.origin}${BASE}callback`,
  scope: 'openid profile email offline_access',
  dangerouslyAllowInsecureHttp: new URL(config.issuer).protocol === 'http:',
});
const bff = createBffClient({ baseUrl: config.bffBasePath });
const bffProvider = config.embedded.oauth1;

const codeOf = (error: Error) => (isLatchkeyError(error) ? error.code : error.message);

function App() {
  const [path, setPath] = useState(location.pathname);
  const go = (to: string) => {
    history.replaceState(null, '', to);
    setPath(location.pathname);
  };
  if (path === `${BASE}callback`) {
    return (
      <AuthCallback onDone={({ returnTo }) => go(returnTo)} onError={() => go(BASE)}>
        <p id="status">Signing you in…</p>
      </AuthCallback>
    );
  }
  return (
    <main>
      <h1>Latchkey with React</h1>
      <InTheBrowser />
      <ThroughTheBff />
    </main>
  );
}

function InTheBrowser() {
  const { user, isAuthenticated, isLoading, error, login, logout } = useAuth();
  const authFetch = useAuthFetch();
  const [answer, setAnswer] = useState('');
  const callApi = async () => {
    const response = await authFetch(`${config.issuer}/api/me`);
    setAnswer(`${response.status} ${await response.text()}`);
  };
  return (
    <section>
      <h2>In the browser (PKCE)</h2>
      <p id="status">{isLoading ? 'loading' : isAuthenticated ? `logged in as ${String(user?.name)}` : 'logged out'}</p>
      {error && <p role="alert" id="error">{codeOf(error)}</p>}
      <div className="row">
        {isAuthenticated ? (
          <>
            <button id="call-api" className="primary" onClick={() => void callApi()}>Call the API</button>
            <button id="logout" onClick={() => void logout()}>Log out</button>
          </>
        ) : (
          <button id="login" className="primary" onClick={() => void login({ returnTo: BASE }).catch(() => undefined)}>Log in with Latchkey ID</button>
        )}
      </div>
      {answer && <pre id="api">{answer}</pre>}
    </section>
  );
}

function ThroughTheBff() {
  const { user, isAuthenticated, isLoading, error, login, logout } = useBffSession();
  return (
    <section>
      <h2>Through the BFF (OAuth 1.0a)</h2>
      <p id="bff-status">{isLoading ? 'loading' : isAuthenticated ? `logged in as ${String(user?.name)}` : 'logged out'}</p>
      {error && <p role="alert" id="bff-error">{codeOf(error)}</p>}
      <div className="row">
        {isAuthenticated ? (
          <button id="bff-logout" onClick={() => void logout()}>Log out</button>
        ) : (
          <button id="bff-login" className="primary" onClick={() => login(bffProvider, { returnTo: BASE })}>Log in through the BFF</button>
        )}
      </div>
    </section>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AuthProvider client={auth}>
      <BffProvider client={bff}>
        <App />
      </BffProvider>
    </AuthProvider>
  </StrictMode>,
);
