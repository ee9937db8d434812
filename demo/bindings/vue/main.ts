// @latchkey/vue in a small app of its own: the router guard completes the PKCE callback and protects
// /profile, useAuth() calls the API, and useBffSession() logs in through the BFF's OAuth 2 client.
import '../bindings.css';
import { createAuthClient, isLatchkeyError } from '@latchkey/browser';
import { createBffClient } from '@latchkey/browser/bff';
import { createAuthGuard, createLatchkey, createLatchkeyBff, useAuth, useBffSession } from '@latchkey/vue';
import { createApp, defineComponent, h, ref } from 'vue';
import { RouterLink, RouterView, createRouter, createWebHistory } from 'vue-router';
import { DEMO_CONFIG_PATH, type DemoConfig } from '../../src/demo-config.js';

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

const codeOf = (error: Error) => (isLatchkeyError(error) ? error.code : error.message);

const InTheBrowser = defineComponent(() => {
  const { user, isAuthenticated, isLoading, error, login, logout } = useAuth();
  return () =>
    h('section', [
      h('h2', 'In the browser (PKCE)'),
      h('p', { id: 'status' }, isLoading.value ? 'loading' : isAuthenticated.value ? `logged in as ${String(user.value?.name)}` : 'logged out'),
      error.value && h('p', { role: 'alert', id: 'error' }, codeOf(error.value)),
      h(
        'div',
        { class: 'row' },
        isAuthenticated.value
          ? [h(RouterLink, { to: '/profile', id: 'profile-link' }, () => 'Profile'), h('button', { id: 'logout', onClick: () => void logout() }, 'Log out')]
          : h('button', { id: 'login', class: 'primary', onClick: () => void login({ returnTo: '/' }).catch(() => undefined) }, 'Log in with Latchkey ID'),
      ),
    ]);
});

const ThroughTheBff = defineComponent(() => {
  const { user, isAuthenticated, isLoading, error, login, logout } = useBffSession();
  return () =>
    h('section', [
      h('h2', 'Through the BFF (OAuth 2)'),
      h('p', { id: 'bff-status' }, isLoading.value ? 'loading' : isAuthenticated.value ? `logged in as ${String(user.value?.name)}` : 'logged out'),
      error.value && h('p', { role: 'alert', id: 'bff-error' }, codeOf(error.value)),
      h(
        'div',
        { class: 'row' },
        isAuthenticated.value
          ? h('button', { id: 'bff-logout', onClick: () => void logout() }, 'Log out')
          : h('button', { id: 'bff-login', class: 'primary', onClick: () => login(bffProvider, { returnTo: BASE }) }, 'Log in through the BFF'),
      ),
    ]);
});

const Home = defineComponent(() => () => h('main', [h('h1', 'Latchkey with Vue'), h(InTheBrowser), h(ThroughTheBff)]));

// Behind the guard: reached only logged in, so the API call has a token to carry.
const Profile = defineComponent(() => {
  const { fetch, user } = useAuth();
  const answer = ref('');
  const callApi = async () => {
    const response = await fetch(`${config.issuer}/api/me`);
    answer.value = `${response.status} ${await response.text()}`;
  };
  return () =>
    h('main', [
      h('h1', 'Profile'),
      h('section', [
        h('p', { id: 'profile-name' }, String(user.value?.name)),
        h('div', { class: 'row' }, [h('button', { id: 'call-api', class: 'primary', onClick: () => void callApi() }, 'Call the API'), h(RouterLink, { to: '/' }, () => 'Home')]),
        answer.value && h('pre', { id: 'api' }, answer.value),
      ]),
    ]);
});

const router = createRouter({
  history: createWebHistory(BASE),
  routes: [
    { path: '/', component: Home },
    { path: '/callback', component: Home },
    { path: '/profile', component: Profile, meta: { requiresAuth: true } },
  ],
});
router.beforeEach(createAuthGuard(latchkey, { callbackPath: '/callback' }));

createApp(RouterView).use(latchkey).use(latchkeyBff).use(router).mount('#app');
