import './styles.css';
import { createAuthClient } from '@latchkey/browser';
import { createBffClient } from '@latchkey/browser/bff';
import type { BffProviderInfo } from '@latchkey/common';
import { callApi } from './api-result.js';
import { DEMO_CONFIG_PATH, type DemoConfig } from './demo-config.js';
import { chooseDpop, dpopChosen, reportingDPoP, type TokenType } from './dpop-choice.js';
import { logoutEverywhereNotice, markLogoutEverywhere, takeLogoutEverywhere } from './logout-everywhere.js';
import { noticeFor, noticeForCode } from './messages.js';
import { toProfile } from './profile.js';
import { formatRemaining, renderApp, type Actions, type ViewState } from './views.js';

const root = document.getElementById('app')!;
const config = (await (await fetch(DEMO_CONFIG_PATH)).json()) as DemoConfig;

// The kind of token the SDK sent last: without DPoP it only ever sends bearer tokens.
let sentTokenType: TokenType = 'Bearer';
const dpop = dpopChosen();

// In the browser: a public client with PKCE, straight to the provider.
const auth = createAuthClient({
  issuer: config.issuer,
  clientId: config.spaClientId,
  redirectUri: `${location.origin}/callback`,
  scope: 'openid profile email offline_access',
  // The embedded provider runs on plain http on this machine; a real one is https.
  dangerouslyAllowInsecureHttp: new URL(config.issuer).protocol === 'http:',
  ...(dpop ? { dpop: await reportingDPoP((type) => void (sentTokenType = type)) } : {}),
});
// Through the BFF on this origin: the browser only ever holds its HttpOnly cookie.
const bff = createBffClient({ baseUrl: config.bffBasePath });

const state: ViewState = { issuer: config.issuer, notice: null, spa: null, bff: null, bffProviders: [], dpop, busy: null };

// Nothing is drawn until the first load settles, so buttons do not jump in one by one.
let ready = false;

function render(): void {
  if (!ready) return;
  const open = [...root.querySelectorAll('details[open]')].map((element) => element.id);
  root.replaceChildren(renderApp(state, actions));
  for (const id of open) document.getElementById(id)?.setAttribute('open', '');
}

/**
 * Runs a button's action with its spinner; any failure becomes the readable notice, and the state is
 * read again (`resync`), since a failure may mean the session ended elsewhere.
 */
async function run(id: string, work: () => Promise<void>, resync?: () => Promise<void>): Promise<void> {
  state.busy = id;
  render();
  try {
    await work();
  } catch (error) {
    console.error(error);
    state.notice = noticeFor(error);
    await resync?.().catch((again: unknown) => console.error(again));
  } finally {
    state.busy = null;
    render();
  }
}

function bffLabel(provider: BffProviderInfo): string {
  if (provider.name === config.embedded.oauth2) return 'Log in through the BFF (OAuth 2)';
  if (provider.name === config.embedded.oauth2Dpop) return 'Log in through the BFF (OAuth 2 + DPoP)';
  if (provider.name === config.embedded.oauth1) return 'Log in through the BFF (OAuth 1.0a)';
  return `Log in through the BFF (${provider.displayName})`;
}

const embeddedFirst = (provider: BffProviderInfo) =>
  [config.embedded.oauth2, config.embedded.oauth2Dpop, config.embedded.oauth1].indexOf(provider.name) >>> 0;

async function loadSpa(): Promise<void> {
  await auth.start();
  if (!auth.isAuthenticated()) {
    state.spa = null;
    return;
  }
  state.spa = {
    profile: null,
    expiresAt: auth.expiresAtMs,
    scope: null,
    tokenType: state.spa?.tokenType ?? null,
    api: state.spa?.api ?? null,
  };
  render();
  const response = await auth.fetch(`${config.issuer}/api/me`);
  const body = (await response.json()) as { scope?: string };
  if (!state.spa) return;
  state.spa.profile = toProfile(body);
  state.spa.scope = body.scope ?? null;
  state.spa.tokenType = sentTokenType;
  state.spa.expiresAt = auth.expiresAtMs;
}

async function loadBff(): Promise<void> {
  const [providers, session] = await Promise.all([bff.providers(), bff.session()]);
  state.bffProviders = [...providers]
    .sort((a, b) => embeddedFirst(a) - embeddedFirst(b))
    .map((provider) => ({ ...provider, label: bffLabel(provider), dpop: provider.name === config.embedded.oauth2Dpop }));
  if (!session.authenticated || session.connections.length === 0) {
    state.bff = null;
    return;
  }
  const linked = session.connections.map((connection) => connection.provider);
  const profileProvider = linked.includes(config.embedded.oauth2) ? config.embedded.oauth2 : linked[0]!;
  const keepProfile = state.bff?.profileProvider === profileProvider ? state.bff.profile : null;
  state.bff = { connections: session.connections, profileProvider, profile: keepProfile, api: state.bff?.api ?? null };
  render();
  const api = config.apis[profileProvider];
  if (!api) return;
  const response = await bff.fetch(profileProvider, api.profilePath);
  if (state.bff) state.bff.profile = toProfile(await response.json());
}

const actions: Actions = {
  loginSpa: () => void run('login-spa', async () => void (await auth.login({ returnTo: '/' }))),
  callSpaApi: () =>
    void run(
      'spa-call-api',
      async () => {
        const result = await callApi('GET /api/echo?from=latchkey-demo', () => auth.fetch(`${config.issuer}/api/echo?from=latchkey-demo`));
        result.tokenType = sentTokenType;
        if (state.spa) Object.assign(state.spa, { api: result, expiresAt: auth.expiresAtMs, tokenType: sentTokenType });
      },
      loadSpa,
    ),
  logoutSpa: () =>
    void run('spa-logout', async () => {
      await auth.logout();
      state.spa = null;
    }),
  // The page goes to the provider's end-session endpoint and comes back to `/`; it does not call the BFF.
  logoutEverywhere: () =>
    void run('spa-logout-everywhere', async () => {
      markLogoutEverywhere(state.bff !== null);
      await auth.logout({ endSession: true, returnTo: '/' });
    }),
  chooseDpop: (on) => {
    chooseDpop(on);
    // The SDK takes its options once; the reloaded page creates the client with the new choice.
    location.reload();
  },
  loginBff: (provider) => void run(`login-bff-${provider}`, async () => void bff.login(provider, { returnTo: '/' })),
  callBffApi: (provider) =>
    void run(
      `bff-call-api-${provider}`,
      async () => {
        const path = config.apis[provider]?.callPath ?? '';
        const result = await callApi(`GET ${config.bffBasePath}/api/${provider}/${path}`, () => bff.fetch(provider, path));
        await loadBff();
        if (state.bff) state.bff.api = result;
      },
      loadBff,
    ),
  disconnectBff: (provider) =>
    void run(
      `bff-disconnect-${provider}`,
      async () => {
        await bff.disconnect(provider);
        await loadBff();
      },
      loadBff,
    ),
  logoutBff: () =>
    void run(
      'bff-logout',
      async () => {
        await bff.logout();
        state.bff = null;
      },
      loadBff,
    ),
  dismissNotice: () => {
    state.notice = null;
    render();
  },
};

// Another tab logged in or out, or the provider refused the refresh token.
auth.on('login', () => void run('sync', loadSpa));
auth.on('tokens', ({ expiresAtMs }) => {
  if (state.spa) state.spa.expiresAt = expiresAtMs;
  render();
});
auth.on('logout', ({ reason }) => {
  state.spa = null;
  if (reason === 'session_expired') state.notice = noticeForCode('login_required');
  render();
});

// Countdowns tick here, not by re-rendering the page.
setInterval(() => {
  for (const element of root.querySelectorAll<HTMLElement>('[data-expires-at]')) {
    const seconds = (Number(element.dataset.expiresAt) - Date.now()) / 1000;
    element.textContent = seconds > 0 ? formatRemaining(seconds) : 'expired; the next call renews it';
  }
}, 1000);

async function start(): Promise<void> {
  if (location.pathname === '/callback') {
    try {
      const { returnTo } = await auth.handleCallback();
      history.replaceState(null, '', returnTo);
    } catch (error) {
      state.notice = noticeFor(error);
      history.replaceState(null, '', '/');
    }
  }
  const loginError = bff.takeLoginError();
  if (loginError) state.notice = noticeFor(loginError);
  const loggedOutEverywhere = takeLogoutEverywhere();
  const results = await Promise.allSettled([loadSpa(), loadBff()]);
  for (const result of results) {
    if (result.status === 'rejected') {
      console.error(result.reason);
      state.notice ??= noticeFor(result.reason);
    }
  }
  if (loggedOutEverywhere && results[1].status === 'fulfilled')
    state.notice ??= logoutEverywhereNotice(loggedOutEverywhere, state.bff !== null);
  ready = true;
  render();
  root.setAttribute('data-ready', 'true');
}

void start();
