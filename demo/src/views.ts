import type { BffConnection, BffProviderInfo } from '@latchkey/common';
import type { ApiResult } from './api-result.js';
import type { TokenType } from './dpop-choice.js';
import { h, type Child } from './dom.js';
import type { Notice } from './messages.js';
import { initials, type Profile } from './profile.js';

interface SpaView {
  profile: Profile | null;
  expiresAt: number | null;
  scope: string | null;
  /** What the SDK sent with the last call. */
  tokenType: TokenType | null;
  api: ApiResult | null;
}

interface BffView {
  connections: BffConnection[];
  /** The provider the profile was read from. */
  profileProvider: string | null;
  profile: Profile | null;
  api: ApiResult | null;
}

export interface ViewState {
  issuer: string;
  notice: Notice | null;
  spa: SpaView | null;
  bff: BffView | null;
  /** Providers the BFF offers, with the demo's labels; `dpop` when the BFF binds their tokens to a key. */
  bffProviders: (BffProviderInfo & { label: string; dpop: boolean })[];
  /** "Bind tokens to a key (DPoP)" is on: the SDK's next login makes a key. */
  dpop: boolean;
  /** The action running now (its button shows a spinner), or `null`. */
  busy: string | null;
}

export interface Actions {
  loginSpa(): void;
  callSpaApi(): void;
  logoutSpa(): void;
  logoutEverywhere(): void;
  chooseDpop(on: boolean): void;
  loginBff(provider: string): void;
  callBffApi(provider: string): void;
  disconnectBff(provider: string): void;
  logoutBff(): void;
  dismissNotice(): void;
}

const PROTOCOL_NAMES = { oauth2: 'OAuth 2', oauth1: 'OAuth 1.0a' } as const;

function button(id: string, label: string, state: ViewState, onClick: () => void, kind = 'secondary'): HTMLButtonElement {
  const busy = state.busy === id;
  return h(
    'button',
    {
      id,
      type: 'button',
      class: `button ${kind}${busy ? ' busy' : ''}`,
      disabled: state.busy !== null,
      'aria-busy': busy ? 'true' : undefined,
      onclick: onClick,
    },
    label,
  );
}

/** `9:41` or `1:02:03` for a number of seconds. */
export function formatRemaining(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const parts = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const [hours, minutes, rest] = parts as [number, number, number];
  const pad = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(rest)}` : `${minutes}:${pad(rest)}`;
}

/** A live countdown: the page's ticker rewrites every `[data-expires-at]` element once a second. */
function countdown(expiresAt: number | null): Child {
  if (expiresAt === null) return h('span', { class: 'muted' }, 'does not expire');
  return h('span', { class: 'countdown', 'data-expires-at': String(expiresAt) }, formatRemaining((expiresAt - Date.now()) / 1000));
}

function noticeView(notice: Notice, actions: Actions): Child {
  const info = notice.tone === 'info';
  return h(
    'div',
    { class: info ? 'notice info' : 'notice', role: info ? 'status' : 'alert', id: 'notice' },
    h(
      'div',
      { class: 'notice-body' },
      h('strong', { class: 'notice-title' }, notice.title),
      h('p', {}, notice.text),
      notice.code && h('code', { class: 'notice-code' }, notice.code),
    ),
    h('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss', onclick: () => actions.dismissNotice() }, '×'),
  );
}

function profileView(profile: Profile | null, id: string): Child {
  if (!profile) return h('p', { class: 'muted', id }, 'Reading the profile…');
  const avatar = profile.picture
    ? h('img', { class: 'avatar', src: profile.picture, alt: '' })
    : h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(profile.name));
  return h(
    'div',
    { class: 'profile', id },
    h(
      'div',
      { class: 'identity' },
      avatar,
      h('div', {}, h('p', { class: 'name' }, profile.name), profile.subtitle && h('p', { class: 'muted' }, profile.subtitle)),
    ),
    h(
      'details',
      { class: 'claims', id: `${id}-claims` },
      h('summary', {}, 'Everything the API returned'),
      h(
        'dl',
        {},
        profile.fields.flatMap(([key, value]) => [h('dt', {}, key), h('dd', {}, value)]),
      ),
    ),
  );
}

function apiView(result: ApiResult | null, id: string): Child {
  if (!result) return null;
  const ok = result.status >= 200 && result.status < 300;
  return h(
    'figure',
    { class: 'api-result', id },
    h(
      'figcaption',
      {},
      h('span', { class: `status ${ok ? 'ok' : 'failed'}` }, String(result.status)),
      h('code', {}, result.label),
      result.tokenType && h('span', { class: 'tag', 'data-token-type': result.tokenType }, result.tokenType),
      h('span', { class: 'muted' }, `${result.ms} ms`),
    ),
    h('pre', {}, result.body),
  );
}

/**
 * The SDK's DPoP option, offered while the browser is logged out: the SDK takes it when the client is
 * created, so a change reloads the page, and the next login makes the key.
 */
function dpopToggle(state: ViewState, actions: Actions): Child {
  const input = h('input', { type: 'checkbox', id: 'spa-dpop', checked: state.dpop, disabled: state.busy !== null });
  input.addEventListener('change', () => actions.chooseDpop(input.checked));
  return h(
    'div',
    { class: 'dpop-choice' },
    h('label', { class: 'toggle', for: 'spa-dpop' }, input, 'Bind tokens to a key (DPoP)'),
    h(
      'p',
      { class: 'hint' },
      'The login binds the access and refresh tokens to a key this browser cannot export (RFC 9449); every call carries a proof signed with it.',
    ),
  );
}

const TOKEN_TYPE_TEXTS: Record<TokenType, string> = {
  Bearer: 'Bearer: whoever holds the token can use it',
  DPoP: 'DPoP: bound to a key kept in this browser, sent with a proof',
};

function spaCard(view: SpaView, state: ViewState, actions: Actions): Child {
  return h(
    'section',
    { class: 'card session', id: 'spa-session', 'aria-labelledby': 'spa-title' },
    h(
      'header',
      { class: 'card-head' },
      h('h2', { id: 'spa-title' }, 'Logged in the browser'),
      h('span', { class: 'tag' }, 'PKCE · public client'),
    ),
    profileView(view.profile, 'spa-profile'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Access token expires in'),
      h('dd', { id: 'spa-expiry' }, countdown(view.expiresAt)),
      h('dt', {}, 'Scopes'),
      h('dd', {}, view.scope ?? '—'),
      h('dt', {}, 'Token type'),
      h(
        'dd',
        { id: 'spa-token-type', 'data-token-type': view.tokenType ?? undefined },
        view.tokenType ? TOKEN_TYPE_TEXTS[view.tokenType] : '—',
      ),
      h('dt', {}, 'Tokens kept in'),
      h('dd', {}, 'this browser (IndexedDB); refreshed a minute before they expire'),
    ),
    h(
      'div',
      { class: 'actions' },
      button('spa-call-api', 'Call the API', state, actions.callSpaApi, 'primary'),
      button('spa-logout', 'Log out', state, actions.logoutSpa),
      button('spa-logout-everywhere', 'Log out everywhere', state, actions.logoutEverywhere),
    ),
    h(
      'p',
      { class: 'hint' },
      'Log out everywhere also ends the login session at Latchkey ID (RP-initiated logout), which tells the BFF over the back channel to end its session too.',
    ),
    apiView(view.api, 'spa-api-result'),
  );
}

function connectionView(connection: BffConnection, state: ViewState, actions: Actions): Child {
  const offered = state.bffProviders.find((provider) => provider.name === connection.provider);
  const label = offered?.displayName ?? connection.provider;
  return h(
    'li',
    { class: 'connection', 'data-provider': connection.provider },
    h(
      'div',
      {},
      h(
        'p',
        { class: 'name' },
        label,
        ' ',
        h('span', { class: 'tag' }, offered?.dpop ? 'OAuth 2 + DPoP' : PROTOCOL_NAMES[connection.protocol]),
      ),
      h(
        'p',
        { class: 'muted' },
        connection.expiresAt === null ? 'token does not expire' : ['token expires in ', countdown(connection.expiresAt * 1000)],
        connection.scopes.length > 0 ? ` · ${connection.scopes.join(' ')}` : '',
      ),
    ),
    h(
      'div',
      { class: 'actions compact' },
      button(`bff-call-api-${connection.provider}`, 'Call the API', state, () => actions.callBffApi(connection.provider), 'primary'),
      button(`bff-disconnect-${connection.provider}`, 'Unlink', state, () => actions.disconnectBff(connection.provider), 'ghost'),
    ),
  );
}

function bffCard(view: BffView, state: ViewState, actions: Actions): Child {
  return h(
    'section',
    { class: 'card session', id: 'bff-session', 'aria-labelledby': 'bff-title' },
    h(
      'header',
      { class: 'card-head' },
      h('h2', { id: 'bff-title' }, 'Logged in through the BFF'),
      h('span', { class: 'tag' }, 'HttpOnly session cookie'),
    ),
    profileView(view.profile, 'bff-profile'),
    h('h3', {}, 'Linked providers'),
    h(
      'ul',
      { class: 'connections', id: 'bff-connections' },
      view.connections.map((connection) => connectionView(connection, state, actions)),
    ),
    apiView(view.api, 'bff-api-result'),
    h('div', { class: 'actions' }, button('bff-logout', 'Log out', state, actions.logoutBff)),
  );
}

function way(id: string, label: string, detail: Child | Child[], state: ViewState, onClick: () => void): Child {
  return h('li', { class: 'way' }, button(id, label, state, onClick, 'primary'), h('div', { class: 'muted' }, detail));
}

const BFF_WAY_DETAILS = {
  oauth1: 'The BFF signs every request with the consumer secret (HMAC-SHA1); the browser gets a cookie only.',
  oauth2: 'A confidential client: the BFF keeps the secret and the tokens; the browser gets a cookie only.',
  dpop: 'The same, with every token bound to a key the BFF keeps (DPoP): a copied token is of no use without it.',
} as const;

/** The ways not in use yet; `null` once every one is. */
function signInCard(state: ViewState, actions: Actions): Child {
  const linked = new Set(state.bff?.connections.map((connection) => connection.provider));
  const anySession = state.spa !== null || state.bff !== null;
  const ways = [
    state.spa === null &&
      way(
        'login-spa',
        'Log in with Latchkey ID (in the browser, PKCE)',
        [
          h('p', {}, 'The SPA talks to the provider itself: authorization code with PKCE, tokens in IndexedDB.'),
          dpopToggle(state, actions),
        ],
        state,
        actions.loginSpa,
      ),
    ...state.bffProviders
      .filter((provider) => !linked.has(provider.name))
      .map((provider) =>
        way(
          `login-bff-${provider.name}`,
          provider.label,
          BFF_WAY_DETAILS[provider.protocol === 'oauth1' ? 'oauth1' : provider.dpop ? 'dpop' : 'oauth2'],
          state,
          () => actions.loginBff(provider.name),
        ),
      ),
  ].filter((item) => item !== false);
  if (ways.length === 0) return null;
  return h(
    'section',
    { class: 'card', id: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('header', { class: 'card-head' }, h('h2', { id: 'sign-in-title' }, anySession ? 'More ways to log in' : 'Log in')),
    state.bff && h('p', { class: 'muted' }, 'Logging in through the BFF again links that provider to the same session.'),
    h('ul', { class: 'ways' }, ways),
    h(
      'p',
      { class: 'hint' },
      'Demo user ',
      h('code', {}, 'alice'),
      ' / ',
      h('code', {}, 'wonderland'),
      '. Any other username signs in too.',
    ),
  );
}

function howItWorks(issuer: string): Child {
  return h(
    'section',
    { class: 'how', 'aria-label': 'How it works' },
    h(
      'div',
      {},
      h('h3', {}, 'In the browser'),
      h(
        'p',
        {},
        h('code', {}, '@latchkey/browser'),
        ' runs the authorization code flow with PKCE, checks the callback, stores the tokens, refreshes them once across tabs and attaches them in ',
        h('code', {}, 'fetch'),
        '.',
      ),
    ),
    h(
      'div',
      {},
      h('h3', {}, 'Through the BFF'),
      h(
        'p',
        {},
        h('code', {}, '@latchkey/bff'),
        ' keeps client secrets and tokens on the server and proxies API calls under ',
        h('code', {}, '/bff/api'),
        ', so the page never sees a token.',
      ),
    ),
    h(
      'div',
      {},
      h('h3', {}, 'The provider'),
      h(
        'p',
        {},
        h('code', {}, '@latchkey/provider'),
        ' is a real OAuth 2 / OpenID Connect and OAuth 1.0a server, running at ',
        h('a', { href: `${issuer}/.well-known/openid-configuration` }, new URL(issuer).host),
        '.',
      ),
    ),
  );
}

export function renderApp(state: ViewState, actions: Actions): Node {
  return h(
    'div',
    { class: 'page' },
    h(
      'header',
      { class: 'top' },
      h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'Latchkey', h('span', { class: 'pill' }, 'demo')),
    ),
    h(
      'main',
      { class: 'wrap' },
      h(
        'section',
        { class: 'intro' },
        h('h1', {}, 'Log in to an SPA, three ways'),
        h(
          'p',
          {},
          'Against the embedded Latchkey ID provider: in the browser with PKCE, or through a backend-for-frontend with OAuth 2 or OAuth 1.0a, with bearer or DPoP-bound tokens. Then read the profile, call the API, and log out of one or of everything.',
        ),
      ),
      state.notice && noticeView(state.notice, actions),
      state.spa && spaCard(state.spa, state, actions),
      state.bff && bffCard(state.bff, state, actions),
      signInCard(state, actions),
      howItWorks(state.issuer),
      h(
        'p',
        { class: 'examples' },
        'The same logins with the framework bindings: ',
        h('a', { href: '/bindings/react/' }, h('code', {}, '@latchkey/react')),
        ' and ',
        h('a', { href: '/bindings/vue/' }, h('code', {}, '@latchkey/vue')),
        '.',
      ),
    ),
  );
}
