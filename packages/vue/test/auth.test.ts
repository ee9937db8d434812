import { AuthError, ConfigurationError, isLatchkeyError, type AuthClient } from '@latchkey/browser';
import { render, screen, waitFor } from '@testing-library/vue';
import { defineComponent, h, ref } from 'vue';
import { RouterView, createMemoryHistory, createRouter, createWebHistory, type Router, type RouterHistory } from 'vue-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAuthGuard, createLatchkey, useAuth, type AuthGuardOptions, type LatchkeyAuth } from '@latchkey/vue';
import { authorize, captureNavigation, setPageUrl, startHarness, submitAuthorizeForm, type Harness } from './support.js';

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness();
});
afterEach(() => harness.close());

/** Shows the session as text; every route renders it. */
const Status = defineComponent({
  setup() {
    const { user, isAuthenticated, isLoading, error } = useAuth();
    return () => {
      if (isLoading.value) return h('p', 'loading');
      if (error.value) return h('p', `error:${(error.value as AuthError).code}`);
      return h('p', isAuthenticated.value ? `user:${String(user.value?.name)}` : 'anonymous');
    };
  },
});
const Page = (name: string) => defineComponent({ setup: () => () => h('div', [h('h1', name), h(Status)]) });

function makeRouter(latchkey: LatchkeyAuth, history: RouterHistory, options: AuthGuardOptions = {}): Router {
  const router = createRouter({
    history,
    routes: [
      { path: '/', component: Page('start') },
      { path: '/app/home', component: Page('home') },
      { path: '/app/callback', component: Page('callback') },
      { path: '/app/after', component: Page('after') },
      { path: '/app/login', component: Page('login page') },
      { path: '/app/secret', component: Page('secret'), meta: { requiresAuth: true } },
    ],
  });
  router.beforeEach(createAuthGuard(latchkey, { callbackPath: '/app/callback', callbackErrorPath: '/app/home', ...options }));
  return router;
}

/** The app: the plugin, a router with the guard, and the matched page. */
async function renderApp(latchkey: LatchkeyAuth, router: Router) {
  render(RouterView, { global: { plugins: [latchkey, router] } });
  await router.isReady();
}

async function callbackUrl(client: AuthClient, decision: 'allow' | 'deny' = 'allow'): Promise<string> {
  const url = await client.login({ returnTo: '/app/after', redirect: false });
  return (await submitAuthorizeForm(url, { decision })).location!;
}

describe('createLatchkey, useAuth and createAuthGuard against the real provider', () => {
  it('logs in through the composable: the guard completes the callback once and goes to returnTo', async () => {
    const client = harness.client();
    const latchkey = createLatchkey(client);
    let login: LatchkeyAuth['login'] | undefined;
    const LoginButton = defineComponent({
      setup() {
        login = useAuth().login;
        return () => h(Status);
      },
    });
    const first = render(LoginButton, { global: { plugins: [latchkey] } });
    await screen.findByText('anonymous');
    const url = await login!({ returnTo: '/app/after', redirect: false });
    first.unmount();

    const answer = await submitAuthorizeForm(url);
    setPageUrl(answer.location!);
    const router = makeRouter(latchkey, createWebHistory());
    await renderApp(latchkey, router);
    // A second navigation to the callback URL (a double-mounted component, a re-run guard) shares the first.
    await latchkey.handleCallback(new URL(answer.location!));
    await screen.findByText('after');
    await screen.findByText('user:Alice Liddell');
    expect(router.currentRoute.value.fullPath).toBe('/app/after');
    expect(harness.provider.countEvents('token_request', 'authorization_code')).toBe(1);
    expect(location.search).toBe('');
    expect(latchkey.expiresAtMs.value).toBeGreaterThan(Date.now());
  });

  it('a protected route: anonymous users are sent to the provider (returnTo the route), then let in', async () => {
    const client = harness.client();
    const latchkey = createLatchkey(client);
    const navigate = captureNavigation();
    const router = makeRouter(latchkey, createMemoryHistory());
    await renderApp(latchkey, router);
    await router.push('/app/home');
    await router.push('/app/secret');
    expect(router.currentRoute.value.path).toBe('/app/home');
    expect(navigate).toHaveBeenCalledTimes(1);

    const answer = await submitAuthorizeForm(String(navigate.mock.calls[0]![0]));
    await router.push(new URL(answer.location!).pathname + new URL(answer.location!).search);
    expect(router.currentRoute.value.path).toBe('/app/secret');
    await screen.findByText('user:Alice Liddell');
    await router.push('/app/home');
    await router.push('/app/secret');
    expect(router.currentRoute.value.path).toBe('/app/secret');
    expect(navigate).toHaveBeenCalledTimes(1);
  });

  it('with loginPath the guard redirects to the login page with returnTo', async () => {
    const latchkey = createLatchkey(harness.client());
    const navigate = captureNavigation();
    const router = makeRouter(latchkey, createMemoryHistory(), { loginPath: '/app/login' });
    await renderApp(latchkey, router);
    await router.push('/app/secret?tab=2');
    expect(router.currentRoute.value.path).toBe('/app/login');
    expect(router.currentRoute.value.query.returnTo).toBe('/app/secret?tab=2');
    expect(navigate).not.toHaveBeenCalled();
  });

  it('a denied consent: the guard goes to callbackErrorPath and the error is a typed AuthError', async () => {
    const client = harness.client();
    const latchkey = createLatchkey(client);
    setPageUrl(await callbackUrl(client, 'deny'));
    const router = makeRouter(latchkey, createWebHistory());
    await renderApp(latchkey, router);
    expect(router.currentRoute.value.path).toBe('/app/home');
    await screen.findByText('error:authorization_denied');
    expect(latchkey.error.value).toBeInstanceOf(AuthError);
    expect((latchkey.error.value as AuthError).oauthError).toBe('access_denied');
    expect(harness.provider.countEvents('token_request', 'authorization_code')).toBe(0);
    // A new login clears it.
    await latchkey.login({ redirect: false });
    expect(latchkey.error.value).toBeNull();
  });

  it('logout updates the reactive state and revokes the tokens', async () => {
    const client = harness.client();
    await client.handleCallback(await authorize(client));
    const latchkey = createLatchkey(client);
    render(Status, { global: { plugins: [latchkey] } });
    await screen.findByText('user:Alice Liddell');
    await latchkey.logout();
    await screen.findByText('anonymous');
    expect(harness.provider.countEvents('token_revoked')).toBeGreaterThan(0);
  });

  it('follows a logout in another tab', async () => {
    const client = harness.client();
    await client.handleCallback(await authorize(client));
    render(Status, { global: { plugins: [createLatchkey(client)] } });
    await screen.findByText('user:Alice Liddell');
    const otherTab = harness.client();
    await otherTab.start();
    await otherTab.logout({ revoke: false });
    await screen.findByText('anonymous');
  });

  it('useAuth().fetch attaches the token for the provider /api/me', async () => {
    const client = harness.client();
    await client.handleCallback(await authorize(client));
    const Me = defineComponent({
      setup() {
        const auth = useAuth();
        const text = ref('call');
        const load = async () => {
          const response = await auth.fetch('/api/me');
          text.value = `${response.status}:${((await response.json()) as { name: string }).name}`;
        };
        return () => h('button', { onClick: () => void load() }, text.value);
      },
    });
    render(Me, { global: { plugins: [createLatchkey(client)] } });
    screen.getByText('call').click();
    await screen.findByText('200:Alice Liddell');
  });

  it('useAuth without the plugin is a ConfigurationError', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    let failure: unknown;
    const Probe = defineComponent({
      setup() {
        try {
          useAuth();
        } catch (error) {
          failure = error;
        }
        return () => h('p');
      },
    });
    render(Probe);
    expect(failure).toBeInstanceOf(ConfigurationError);
    expect(isLatchkeyError(failure, 'configuration_error')).toBe(true);
  });
});

describe('waiting for the session', () => {
  it('the guard waits for the stored session before deciding (a reload on a protected route)', async () => {
    const first = harness.client();
    await first.handleCallback(await authorize(first));
    const latchkey = createLatchkey(harness.client());
    const navigate = captureNavigation();
    const router = makeRouter(latchkey, createMemoryHistory());
    await router.push('/app/secret'); // before the plugin is installed: the guard loads the session itself
    expect(router.currentRoute.value.path).toBe('/app/secret');
    expect(navigate).not.toHaveBeenCalled();
    await waitFor(() => expect(latchkey.isLoading.value).toBe(false));
  });
});
