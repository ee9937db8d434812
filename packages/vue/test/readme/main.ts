import { createAuthClient, isLatchkeyError } from '@latchkey/browser';
import { createAuthGuard, createLatchkey, useAuth } from '@latchkey/vue';
import { createApp, defineComponent, h, ref } from 'vue';
import { RouterLink, RouterView, createRouter, createWebHistory } from 'vue-router';

const latchkey = createLatchkey(
  createAuthClient({
    issuer: 'http://localhost:4000',
    clientId: 'latchkey-demo-spa',
    redirectUri: `${location.origin}/callback`,
    scope: 'openid profile email offline_access',
    dangerouslyAllowInsecureHttp: true, // the local provider speaks http; leave out with https
  }),
);

const Home = defineComponent(() => {
  const { user, isAuthenticated, isLoading, error, login, logout } = useAuth();
  return () => {
    if (isLoading.value) return h('p', 'Loading…');
    const failure = error.value && (isLatchkeyError(error.value) ? error.value.code : error.value.message);
    return h('main', [
      failure && h('p', { role: 'alert' }, `Login failed: ${failure}`),
      isAuthenticated.value
        ? [
            h('p', `Hello ${String(user.value?.name ?? user.value?.sub)}`),
            h(RouterLink, { to: '/profile' }, () => 'Profile'),
            h('button', { onClick: () => void logout() }, 'Log out'),
          ]
        : h('button', { onClick: () => void login() }, 'Log in'),
    ]);
  };
});

const Profile = defineComponent(() => {
  const { fetch } = useAuth(); // adds the access token for the page's and the issuer's origins
  const me = ref('');
  const callApi = async () => (me.value = await (await fetch('http://localhost:4000/api/me')).text());
  return () => h('section', [h('button', { onClick: () => void callApi() }, 'Call the API'), h('pre', me.value)]);
});

const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', component: Home },
    { path: '/callback', component: Home }, // the guard completes the login, then goes to its returnTo
    { path: '/profile', component: Profile, meta: { requiresAuth: true } },
  ],
});
router.beforeEach(createAuthGuard(latchkey, { callbackPath: '/callback' }));

createApp(RouterView).use(latchkey).use(router).mount('#app');
