// @latchkey/react in a small app of its own: a PKCE login (handled once under StrictMode), the API
// through useAuthFetch, and the BFF's OAuth 1.0a login through useBffSession. Same look and messages
// as the main demo (demo/src), which it borrows.
import '../bindings.css';
import { createAuthClient } from '@latchkey/browser';
import { createBffClient } from '@latchkey/browser/bff';
import { AuthCallback, AuthProvider, BffProvider, useAuth, useAuthFetch, useBffSession } from '@latchkey/react';
import { StrictMode, useEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { callApi, type ApiResult } from '../../src/api-result.js';
import { DEMO_CONFIG_PATH, type DemoConfig } from '../../src/demo-config.js';
import { noticeFor, type Notice } from '../../src/messages.js';
import { initials, toProfile } from '../../src/profile.js';
import { formatRemaining } from '../../src/views.js';

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
const bffCallPath = config.apis[bffProvider]?.callPath ?? 'me';

/**
 * A card's running action and its failure. A failure is shown, never thrown: it becomes the card's
 * notice, as does the hook's own `error` (a denied login, a failed callback) until it is dismissed.
 */
function useActions(error: Error | null) {
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [dismissed, setDismissed] = useState<Error | null>(null);
  const run = async (id: string, work: () => Promise<unknown>) => {
    setBusy(id);
    setFailure(null);
    try {
      await work();
    } catch (cause) {
      console.error(cause);
      setFailure(cause);
    } finally {
      setBusy(null);
    }
  };
  const notice = failure !== null ? noticeFor(failure) : error !== null && error !== dismissed ? noticeFor(error) : null;
  const dismiss = () => {
    setFailure(null);
    setDismissed(error);
  };
  return { busy, run, notice, dismiss };
}

type Actions = ReturnType<typeof useActions>;

function App() {
  const [path, setPath] = useState(location.pathname);
  const go = (to: string) => {
    history.replaceState(null, '', to);
    setPath(location.pathname);
  };
  return (
    <div className="page">
      <header className="top">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          Latchkey
          <span className="pill">React</span>
        </div>
        <a className="top-link" href="/">
          ← The main demo
        </a>
      </header>
      <main className="wrap">
        <section className="intro">
          <h1>Latchkey with React</h1>
          <p>
            <code>@latchkey/react</code> in an app of its own: <code>&lt;AuthProvider&gt;</code> runs the PKCE login in the browser (its
            callback handled once, even under StrictMode), <code>useAuthFetch()</code> calls the API, and <code>&lt;BffProvider&gt;</code>{' '}
            logs in through the BFF with OAuth 1.0a.
          </p>
        </section>
        {path === `${BASE}callback` ? (
          <AuthCallback onDone={({ returnTo }) => go(returnTo)} onError={() => go(BASE)}>
            <p className="loading" id="status">
              Signing you in…
            </p>
          </AuthCallback>
        ) : (
          <>
            <InTheBrowser />
            <ThroughTheBff />
          </>
        )}
        <p className="examples">
          The same logins in <a href="/">the main demo</a>, and with{' '}
          <a href="/bindings/vue/">
            <code>@latchkey/vue</code>
          </a>
          .
        </p>
      </main>
    </div>
  );
}

function NoticeView({ notice, id, onDismiss }: { notice: Notice; id: string; onDismiss: () => void }) {
  return (
    <div className="notice" role="alert" id={id} data-code={notice.code ?? ''}>
      <div className="notice-body">
        <strong className="notice-title">{notice.title}</strong>
        <p>{notice.text}</p>
        {notice.code && <code className="notice-code">{notice.code}</code>}
      </div>
      <button type="button" className="notice-close" aria-label="Dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}

function ActionButton({
  id,
  label,
  actions,
  onClick,
  kind = 'secondary',
}: {
  id: string;
  label: string;
  actions: Actions;
  onClick: () => Promise<unknown>;
  kind?: string;
}) {
  const busy = actions.busy === id;
  return (
    <button
      id={id}
      type="button"
      className={`button ${kind}${busy ? ' busy' : ''}`}
      disabled={actions.busy !== null}
      aria-busy={busy || undefined}
      onClick={() => void actions.run(id, onClick)}
    >
      {label}
    </button>
  );
}

/** Who is logged in, from the ID token's claims or the BFF's session. */
function StatusLine({ id, claims }: { id: string; claims: unknown }) {
  const profile = toProfile(claims);
  return (
    <div className="status-line">
      <span className="avatar" aria-hidden="true">
        {initials(profile.name)}
      </span>
      <div>
        <p id={id}>
          Logged in as <span className="name">{profile.name}</span>
        </p>
        {profile.subtitle && <p className="muted">{profile.subtitle}</p>}
      </div>
    </div>
  );
}

function ApiResultView({ result, id }: { result: ApiResult | null; id: string }) {
  if (!result) return null;
  const ok = result.status >= 200 && result.status < 300;
  return (
    <figure className="api-result" id={id}>
      <figcaption>
        <span className={`status ${ok ? 'ok' : 'failed'}`}>{result.status}</span>
        <code>{result.label}</code>
        <span className="muted">{result.ms} ms</span>
      </figcaption>
      <pre>{result.body}</pre>
    </figure>
  );
}

/** A live countdown to `expiresAt` (ms since the epoch). */
function Countdown({ expiresAt }: { expiresAt: number | null }) {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (expiresAt === null) return <span className="muted">does not expire</span>;
  const seconds = (expiresAt - now) / 1000;
  return <span className="countdown">{seconds > 0 ? formatRemaining(seconds) : 'expired; the next call renews it'}</span>;
}

function Card({ id, title, tag, session, children }: { id: string; title: string; tag: string; session: boolean; children: ReactNode }) {
  return (
    <section className={session ? 'card session' : 'card'} id={id} aria-labelledby={`${id}-title`}>
      <header className="card-head">
        <h2 id={`${id}-title`}>{title}</h2>
        <span className="tag">{tag}</span>
      </header>
      {children}
    </section>
  );
}

function InTheBrowser() {
  const { user, expiresAtMs: expiresAt, isAuthenticated, isLoading, error, login } = useAuth();
  const actions = useActions(error);
  return (
    <Card id="spa" title="In the browser" tag="PKCE · public client" session={isAuthenticated}>
      {actions.notice && <NoticeView notice={actions.notice} id="error" onDismiss={actions.dismiss} />}
      {isLoading ? (
        <p className="muted" id="status">
          Loading…
        </p>
      ) : isAuthenticated ? (
        // Mounted only while logged in: the API's answer goes with the session, in this tab or another.
        <SpaSession claims={user} expiresAt={expiresAt} actions={actions} />
      ) : (
        <>
          <p id="status">Logged out</p>
          <p className="muted">The app talks to the provider itself: authorization code with PKCE, tokens in this browser's IndexedDB.</p>
          <div className="actions">
            <ActionButton
              id="login"
              label="Log in with Latchkey ID"
              kind="primary"
              actions={actions}
              onClick={() => login({ returnTo: BASE })}
            />
          </div>
          <p className="hint">
            Demo user <code>alice</code> / <code>wonderland</code>.
          </p>
        </>
      )}
    </Card>
  );
}

function SpaSession({ claims, expiresAt, actions }: { claims: unknown; expiresAt: number | null; actions: Actions }) {
  const { logout } = useAuth();
  const authFetch = useAuthFetch();
  const [answer, setAnswer] = useState<ApiResult | null>(null);
  const call = async () => setAnswer(await callApi('GET /api/me', () => authFetch(`${config.issuer}/api/me`)));
  return (
    <>
      <StatusLine id="status" claims={claims} />
      <dl className="facts">
        <dt>Access token expires in</dt>
        <dd id="spa-expiry">
          <Countdown expiresAt={expiresAt} />
        </dd>
        <dt>Tokens kept in</dt>
        <dd>this browser (IndexedDB); refreshed before they expire</dd>
      </dl>
      <div className="actions">
        <ActionButton id="call-api" label="Call the API" kind="primary" actions={actions} onClick={call} />
        <ActionButton id="logout" label="Log out" actions={actions} onClick={() => logout()} />
      </div>
      <ApiResultView result={answer} id="api" />
    </>
  );
}

function ThroughTheBff() {
  const { user, isAuthenticated, isLoading, error, login } = useBffSession();
  const actions = useActions(error);
  return (
    <Card id="bff" title="Through the BFF" tag="OAuth 1.0a · HttpOnly cookie" session={isAuthenticated}>
      {actions.notice && <NoticeView notice={actions.notice} id="bff-error" onDismiss={actions.dismiss} />}
      {isLoading ? (
        <p className="muted" id="bff-status">
          Loading…
        </p>
      ) : isAuthenticated ? (
        <BffSession claims={user} actions={actions} />
      ) : (
        <>
          <p id="bff-status">Logged out</p>
          <p className="muted">The BFF signs every request with the consumer secret (HMAC-SHA1); the browser gets a cookie only.</p>
          <div className="actions">
            <ActionButton
              id="bff-login"
              label="Log in through the BFF"
              kind="primary"
              actions={actions}
              onClick={async () => login(bffProvider, { returnTo: BASE })}
            />
          </div>
        </>
      )}
    </Card>
  );
}

function BffSession({ claims, actions }: { claims: unknown; actions: Actions }) {
  const { fetch, logout } = useBffSession();
  const [answer, setAnswer] = useState<ApiResult | null>(null);
  // A `login_required` refusal (logged out in another tab) re-reads the session, which unmounts this.
  const call = async () =>
    setAnswer(await callApi(`GET ${config.bffBasePath}/api/${bffProvider}/${bffCallPath}`, () => fetch(bffProvider, bffCallPath)));
  return (
    <>
      <StatusLine id="bff-status" claims={claims} />
      <div className="actions">
        <ActionButton id="bff-call-api" label="Call the API" kind="primary" actions={actions} onClick={call} />
        <ActionButton id="bff-logout" label="Log out" actions={actions} onClick={logout} />
      </div>
      <ApiResultView result={answer} id="bff-api" />
    </>
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
