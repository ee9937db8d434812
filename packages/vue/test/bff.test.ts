import { BffClientError, ConfigurationError, createBffClient, isLatchkeyError } from '@latchkey/browser';
import { LOGIN_ERROR_PARAM, LOGIN_ERROR_PROVIDER_PARAM } from '@latchkey/common';
import { render, screen, waitFor } from '@testing-library/vue';
import { defineComponent, h } from 'vue';
import { RouterView, createMemoryHistory, createRouter, createWebHistory, type Router } from 'vue-router';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBffGuard, createLatchkeyBff, useBffSession, type BffGuardOptions, type LatchkeyBff } from '@latchkey/vue';
import { captureNavigation, setPageUrl, startContractServer, type ContractServer } from './support.js';

let bff: ContractServer;
beforeEach(async () => {
  bff = await startContractServer();
  setPageUrl(`${bff.url}/app/home`);
});
afterEach(() => bff.close());

const Session = defineComponent({
  setup() {
    const { user, isAuthenticated, isLoading, error } = useBffSession();
    return () => {
      if (isLoading.value) return h('p', 'loading');
      const failure = error.value ? ` error:${(error.value as BffClientError).code}` : '';
      return h('p', (isAuthenticated.value ? `user:${user.value?.name}` : 'anonymous') + failure);
    };
  },
});
const sessionReads = () => bff.log.filter((entry) => entry.url === '/bff/session').length;

function makeRouter(latchkey: LatchkeyBff, options: BffGuardOptions): Router {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: Session },
      { path: '/login', component: Session },
      { path: '/account', component: Session, meta: { requiresAuth: true } },
    ],
  });
  router.beforeEach(createBffGuard(latchkey, options));
  return router;
}

describe('createLatchkeyBff and useBffSession against a server speaking the BFF contract', () => {
  it('reads the session once and shows the user', async () => {
    render(Session, { global: { plugins: [createLatchkeyBff(createBffClient())] } });
    expect(screen.getByText('loading')).toBeTruthy();
    await screen.findByText('user:Alice Liddell');
    expect(sessionReads()).toBe(1);
  });

  it('shows a failed login the BFF redirected back with and cleans the address bar', async () => {
    bff.signedIn = false;
    setPageUrl(`${bff.url}/app/home?${LOGIN_ERROR_PARAM}=authorization_denied&${LOGIN_ERROR_PROVIDER_PARAM}=demo`);
    const latchkey = createLatchkeyBff(createBffClient());
    render(Session, { global: { plugins: [latchkey] } });
    await screen.findByText('anonymous error:authorization_denied');
    expect(latchkey.error.value).toBeInstanceOf(BffClientError);
    expect((latchkey.error.value as BffClientError).provider).toBe('demo');
    expect(location.href).toBe(`${bff.url}/app/home`);
  });

  // createWebHistory reads the address bar when the router is made; its first navigation then writes
  // that URL back, error parameters included, after the plugin removed them (a reload showed the error again).
  for (const order of ['plugin, then router', 'router, then plugin'] as const) {
    it(`with vue-router (${order}), a failed login leaves the address bar and the route for good`, async () => {
      bff.signedIn = false;
      setPageUrl(`${bff.url}/app/home?tab=2&${LOGIN_ERROR_PARAM}=authorization_denied&${LOGIN_ERROR_PROVIDER_PARAM}=demo#top`);
      const router = createRouter({ history: createWebHistory('/app/'), routes: [{ path: '/home', component: Session }] });
      const latchkey = createLatchkeyBff(createBffClient());
      render(RouterView, { global: { plugins: order === 'plugin, then router' ? [latchkey, router] : [router, latchkey] } });
      await router.isReady();
      await screen.findByText('anonymous error:authorization_denied');
      await waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/home?tab=2#top'));
      expect(location.href).toBe(`${bff.url}/app/home?tab=2#top`);
      expect((latchkey.error.value as BffClientError).provider).toBe('demo');
    });
  }

  it('fetch goes through the proxy with the CSRF header; logout ends the session', async () => {
    const latchkey = createLatchkeyBff(createBffClient());
    render(Session, { global: { plugins: [latchkey] } });
    await screen.findByText('user:Alice Liddell');
    const response = await latchkey.fetch('demo', '/me');
    expect(await response.json()).toEqual({ sub: 'u-alice', path: '/bff/api/demo/me', csrf: '1' });
    await latchkey.logout();
    await screen.findByText('anonymous');
  });

  it('a login_required refusal from the proxy re-reads the session', async () => {
    const latchkey = createLatchkeyBff(createBffClient());
    render(Session, { global: { plugins: [latchkey] } });
    await screen.findByText('user:Alice Liddell');
    bff.signedIn = false;
    const error = await latchkey.fetch('demo', '/me').catch((failure: unknown) => failure);
    expect(isLatchkeyError(error, 'login_required')).toBe(true);
    await screen.findByText('anonymous');
  });

  it('login navigates to the BFF login route; an off-site returnTo is a typed error', () => {
    const navigate = captureNavigation();
    const latchkey = createLatchkeyBff(createBffClient());
    latchkey.login('demo', { returnTo: '/app/profile' });
    expect(navigate).toHaveBeenCalledWith(`/bff/login/demo?returnTo=${encodeURIComponent('/app/profile')}`);
    expect(() => latchkey.login('demo', { returnTo: '//evil.example' })).toThrow(expect.objectContaining({ code: 'invalid_return_to' }));
    expect((latchkey.error.value as BffClientError).code).toBe('invalid_return_to');
  });

  it('useBffSession without the plugin is a ConfigurationError', () => {
    let failure: unknown;
    const Probe = defineComponent({
      setup() {
        try {
          useBffSession();
        } catch (error) {
          failure = error;
        }
        return () => h('p');
      },
    });
    render(Probe);
    expect(failure).toBeInstanceOf(ConfigurationError);
  });
});

describe('createBffGuard', () => {
  it('lets a logged-in user through', async () => {
    const latchkey = createLatchkeyBff(createBffClient());
    const router = makeRouter(latchkey, { provider: 'demo' });
    render(RouterView, { global: { plugins: [latchkey, router] } });
    await router.push('/account');
    expect(router.currentRoute.value.path).toBe('/account');
  });

  it('sends an anonymous user to the BFF login of `provider`, returnTo the route', async () => {
    bff.signedIn = false;
    const navigate = captureNavigation();
    const latchkey = createLatchkeyBff(createBffClient());
    const router = makeRouter(latchkey, { provider: 'demo' });
    render(RouterView, { global: { plugins: [latchkey, router] } });
    await router.push('/account?tab=1');
    expect(router.currentRoute.value.path).toBe('/');
    expect(navigate).toHaveBeenCalledWith(`/bff/login/demo?returnTo=${encodeURIComponent('/account?tab=1')}`);
  });

  it('or to loginPath', async () => {
    bff.signedIn = false;
    const latchkey = createLatchkeyBff(createBffClient());
    const router = makeRouter(latchkey, { loginPath: '/login' });
    render(RouterView, { global: { plugins: [latchkey, router] } });
    await router.push('/account');
    expect(router.currentRoute.value.path).toBe('/login');
    expect(router.currentRoute.value.query.returnTo).toBe('/account');
  });

  it('needs loginPath or provider', () => {
    expect(() => createBffGuard(createLatchkeyBff(createBffClient()), {})).toThrow(ConfigurationError);
  });
});
