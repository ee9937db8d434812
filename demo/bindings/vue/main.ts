// @latchkey/vue in a small app of its own: the router guard completes the PKCE callback and protects
// /profile, useAuth() calls the API, and useBffSession() logs in through the BFF's OAuth 2 client.
// Same look and messages as the main demo (demo/src), which it borrows.
import '../bindings.css';
import { createAuthClient } from '@latchkey/browser';
import { createBffClient } from '@latchkey/browser/bff';
import { createAuthGuard, createLatchkey, createLatchkeyBff, useAuth, useBffSession } from '@latchkey/vue';
import {
  computed,
  createApp,
  defineComponent,
  h,
  onScopeDispose,
  ref,
  shallowRef,
  watch,
  type PropType,
  type Ref,
  type VNodeChild,
} from 'vue';
import { RouterLink, RouterView, createRouter, createWebHistory, useRouter } from 'vue-router';
import { callApi, type ApiResult } from '../../src/api-result.js';
import { DEMO_CONFIG_PATH, type DemoConfig } from '../../src/demo-config.js';
import { noticeFor, noticeForCode, type Notice } from '../../src/messages.js';
import { initials, toProfile } from '../../src/profile.js';
import { formatRemaining } from '../../src/views.js';

const BASE = '/bindings/vue/';
const config = (await (await fetch(DEMO_CONFIG_PATH)).json()) as DemoConfig;

const latchkey = createLatchkey(
  createAuthClient({
    issuer: config.issuer,
    clientId: config.bindingClientIds.vue,
    redirectUri: `${location.origin}${BASE}callback`,
    scope: 'openid profile email offline_access',
    dangerouslyAllowInsecureHttp: new URL(config.issuer).protocol === 'http:',
  }),
);
const latchkeyBff = createLatchkeyBff(createBffClient({ baseUrl: config.bffBasePath }));
const bffProvider = config.embedded.oauth2;
const bffCallPath = config.apis[bffProvider]?.callPath ?? 'me';

/**
 * One card's running action and its notice. A failure is shown, never thrown: it becomes the notice,
 * as does every new `error` of the plugin (a denied login, a failed callback).
 */
interface Actions {
  readonly busy: Ref<string | null>;
  readonly notice: Ref<Notice | null>;
  run(id: string, work: () => Promise<unknown>): Promise<void>;
}

function createActions(error: Readonly<Ref<Error | null>>): Actions {
  const busy = ref<string | null>(null);
  const notice = shallowRef<Notice | null>(error.value && noticeFor(error.value));
  watch(error, (failure) => {
    if (failure) notice.value = noticeFor(failure);
  });
  return {
    busy,
    notice,
    async run(id, work) {
      busy.value = id;
      notice.value = null;
      try {
        await work();
      } catch (cause) {
        console.error(cause);
        notice.value = noticeFor(cause);
      } finally {
        busy.value = null;
      }
    },
  };
}

// The browser card's actions outlive its pages: /profile tells the home page why it sent the user back.
const spaActions = createActions(latchkey.error);
const bffActions = createActions(latchkeyBff.error);

function noticeView(actions: Actions, id: string): VNodeChild {
  const notice = actions.notice.value;
  if (!notice) return null;
  return h('div', { class: 'notice', role: 'alert', id, 'data-code': notice.code ?? '' }, [
    h('div', { class: 'notice-body' }, [
      h('strong', { class: 'notice-title' }, notice.title),
      h('p', notice.text),
      notice.code && h('code', { class: 'notice-code' }, notice.code),
    ]),
    h('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss', onClick: () => (actions.notice.value = null) }, '×'),
  ]);
}

function actionButton(id: string, label: string, actions: Actions, work: () => Promise<unknown>, kind = 'secondary'): VNodeChild {
  const busy = actions.busy.value === id;
  return h(
    'button',
    {
      id,
      type: 'button',
      class: ['button', kind, { busy }],
      disabled: actions.busy.value !== null,
      'aria-busy': busy || undefined,
      onClick: () => void actions.run(id, work),
    },
    label,
  );
}

/** Who is logged in, from the ID token's claims or the BFF's session. */
function statusLine(id: string, claims: unknown): VNodeChild {
  const profile = toProfile(claims);
  return h('div', { class: 'status-line' }, [
    h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(profile.name)),
    h('div', [
      h('p', { id }, ['Logged in as ', h('span', { class: 'name' }, profile.name)]),
      profile.subtitle && h('p', { class: 'muted' }, profile.subtitle),
    ]),
  ]);
}

function apiResultView(result: ApiResult | null, id: string): VNodeChild {
  if (!result) return null;
  const ok = result.status >= 200 && result.status < 300;
  return h('figure', { class: 'api-result', id }, [
    h('figcaption', [
      h('span', { class: ['status', ok ? 'ok' : 'failed'] }, String(result.status)),
      h('code', result.label),
      h('span', { class: 'muted' }, `${result.ms} ms`),
    ]),
    h('pre', result.body),
  ]);
}

function card(id: string, title: string, tag: string, session: boolean, children: VNodeChild[]): VNodeChild {
  return h('section', { class: ['card', { session }], id, 'aria-labelledby': `${id}-title` }, [
    h('header', { class: 'card-head' }, [h('h2', { id: `${id}-title` }, title), h('span', { class: 'tag' }, tag)]),
    ...children,
  ]);
}

/** A live countdown to `expiresAt` (ms since the epoch). */
const Countdown = defineComponent({
  props: { expiresAt: { type: [Number, null] as PropType<number | null>, required: true } },
  setup(props) {
    const now = ref(Date.now());
    const timer = setInterval(() => (now.value = Date.now()), 1000);
    onScopeDispose(() => clearInterval(timer));
    return () => {
      if (props.expiresAt === null) return h('span', { class: 'muted' }, 'does not expire');
      const seconds = (props.expiresAt - now.value) / 1000;
      return h('span', { class: 'countdown' }, seconds > 0 ? formatRemaining(seconds) : 'expired; the next call renews it');
    };
  },
});

const InTheBrowser = defineComponent(() => {
  const { user, expiresAtMs: expiresAt, isAuthenticated, isLoading, login, logout } = useAuth();
  const actions = spaActions;
  return () =>
    card('spa', 'In the browser', 'PKCE · public client', isAuthenticated.value, [
      noticeView(actions, 'error'),
      ...(isLoading.value
        ? [h('p', { class: 'muted', id: 'status' }, 'Loading…')]
        : isAuthenticated.value
          ? [
              statusLine('status', user.value),
              h('dl', { class: 'facts' }, [
                h('dt', 'Access token expires in'),
                h('dd', { id: 'spa-expiry' }, h(Countdown, { expiresAt: expiresAt.value })),
                h('dt', 'Tokens kept in'),
                h('dd', 'this browser (IndexedDB); refreshed before they expire'),
              ]),
              h('div', { class: 'actions' }, [
                h(RouterLink, { to: '/profile', id: 'profile-link', class: 'button primary' }, () => 'Profile and API'),
                actionButton('logout', 'Log out', actions, () => logout()),
              ]),
            ]
          : [
              h('p', { id: 'status' }, 'Logged out'),
              h(
                'p',
                { class: 'muted' },
                'The app talks to the provider itself: authorization code with PKCE, tokens in this browser’s IndexedDB. The router guard completes the callback and protects the profile page.',
              ),
              h('div', { class: 'actions' }, [
                actionButton('login', 'Log in with Latchkey ID', actions, () => login({ returnTo: '/' }), 'primary'),
              ]),
              h('p', { class: 'hint' }, ['Demo user ', h('code', 'alice'), ' / ', h('code', 'wonderland'), '.']),
            ]),
    ]);
});

const ThroughTheBff = defineComponent(() => {
  const { user, isAuthenticated, isLoading, login, logout, fetch } = useBffSession();
  const actions = bffActions;
  const answer = shallowRef<ApiResult | null>(null);
  // Nothing of the user stays once the session ends (here, or found ended by a call).
  watch(isAuthenticated, (now) => {
    if (!now) answer.value = null;
  });
  const call = async () =>
    (answer.value = await callApi(`GET ${config.bffBasePath}/api/${bffProvider}/${bffCallPath}`, () => fetch(bffProvider, bffCallPath)));
  return () =>
    card('bff', 'Through the BFF', 'OAuth 2 · HttpOnly cookie', isAuthenticated.value, [
      noticeView(actions, 'bff-error'),
      ...(isLoading.value
        ? [h('p', { class: 'muted', id: 'bff-status' }, 'Loading…')]
        : isAuthenticated.value
          ? [
              statusLine('bff-status', user.value),
              h('div', { class: 'actions' }, [
                actionButton('bff-call-api', 'Call the API', actions, call, 'primary'),
                actionButton('bff-logout', 'Log out', actions, logout),
              ]),
              apiResultView(answer.value, 'bff-api'),
            ]
          : [
              h('p', { id: 'bff-status' }, 'Logged out'),
              h('p', { class: 'muted' }, 'A confidential client: the BFF keeps the secret and the tokens; the browser gets a cookie only.'),
              h('div', { class: 'actions' }, [
                actionButton('bff-login', 'Log in through the BFF', actions, async () => login(bffProvider, { returnTo: BASE }), 'primary'),
              ]),
            ]),
    ]);
});

const Home = defineComponent(() => () => [
  h('section', { class: 'intro' }, [
    h('h1', 'Latchkey with Vue'),
    h('p', [
      h('code', '@latchkey/vue'),
      ' in an app of its own: the vue-router guard completes the PKCE login and protects the profile page, ',
      h('code', 'useAuth()'),
      ' calls the API there, and ',
      h('code', 'useBffSession()'),
      ' logs in through the BFF with OAuth 2.',
    ]),
  ]),
  h(InTheBrowser),
  h(ThroughTheBff),
  h('p', { class: 'examples' }, [
    'The same logins in ',
    h('a', { href: '/' }, 'the main demo'),
    ', and with ',
    h('a', { href: '/bindings/react/' }, h('code', '@latchkey/react')),
    '.',
  ]),
]);

// Behind the guard, so it is reached logged in; it follows the session from then on.
const Profile = defineComponent(() => {
  const { fetch, user, isAuthenticated } = useAuth();
  const router = useRouter();
  const actions = spaActions;
  const answer = shallowRef<ApiResult | null>(null);
  const profile = computed(() => (user.value ? toProfile(user.value) : null));
  // Logged out in another tab, or the session expired: back to the home page, which says so.
  watch(
    isAuthenticated,
    (now) => {
      if (now) return;
      answer.value = null;
      actions.notice.value = noticeForCode('login_required');
      void router.replace('/');
    },
    { immediate: true },
  );
  const call = async () => (answer.value = await callApi('GET /api/me', () => fetch(`${config.issuer}/api/me`)));
  return () => {
    const shown = isAuthenticated.value ? profile.value : null;
    return [
      h(
        'nav',
        { class: 'crumbs' },
        h(RouterLink, { to: '/', class: 'top-link', id: 'home-link' }, () => '← Home'),
      ),
      h('section', { class: 'intro' }, [
        h('h1', 'Profile'),
        h('p', [
          'A route with ',
          h('code', 'meta: { requiresAuth: true }'),
          ': the guard let you in because you are logged in; ',
          h('code', 'useAuth().fetch'),
          ' adds the access token to the call.',
        ]),
      ]),
      card('profile', 'Logged in the browser', 'PKCE · public client', shown !== null, [
        noticeView(actions, 'error'),
        shown &&
          h('div', { class: 'profile' }, [
            h('div', { class: 'identity' }, [
              h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(shown.name)),
              h('div', [
                h('p', { class: 'name', id: 'profile-name' }, shown.name),
                shown.subtitle && h('p', { class: 'muted' }, shown.subtitle),
              ]),
            ]),
            h('details', { class: 'claims', id: 'profile-claims' }, [
              h('summary', 'Everything the ID token says'),
              h(
                'dl',
                shown.fields.flatMap(([key, value]) => [h('dt', key), h('dd', value)]),
              ),
            ]),
          ]),
        shown && h('div', { class: 'actions' }, [actionButton('call-api', 'Call the API', actions, call, 'primary')]),
        shown && apiResultView(answer.value, 'api'),
      ]),
    ];
  };
});

const Shell = defineComponent(
  () => () =>
    h('div', { class: 'page' }, [
      h('header', { class: 'top' }, [
        h('div', { class: 'brand' }, [
          h('span', { class: 'logo', 'aria-hidden': 'true' }),
          'Latchkey',
          h('span', { class: 'pill' }, 'Vue'),
        ]),
        h('a', { class: 'top-link', href: '/' }, '← The main demo'),
      ]),
      h('main', { class: 'wrap' }, h(RouterView)),
    ]),
);

const router = createRouter({
  history: createWebHistory(BASE),
  routes: [
    { path: '/', component: Home },
    { path: '/callback', component: Home },
    { path: '/profile', component: Profile, meta: { requiresAuth: true } },
  ],
});
router.beforeEach(createAuthGuard(latchkey, { callbackPath: '/callback' }));

createApp(Shell).use(latchkey).use(latchkeyBff).use(router).mount('#app');
