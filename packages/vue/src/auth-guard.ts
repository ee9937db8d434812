import type { LoginParams } from '@latchkey/browser';
import type { LatchkeyAuth } from './latchkey-auth.js';
import { requiresAuthMeta, withReturnTo, type GuardRoute, type RouteGuard } from './route.js';

export interface AuthGuardOptions {
  /** Router path of the redirect URI: a navigation there completes the login, then goes on to its `returnTo`. Default: none (handle the callback yourself). */
  callbackPath?: string;
  /** Where a failed callback goes; the error is in `useAuth().error`. Make it a page that needs no login. Default `'/'`. */
  callbackErrorPath?: string;
  /** Which routes need a logged-in user. Default: those with `meta.requiresAuth === true`. */
  requiresAuth?: (to: GuardRoute) => boolean;
  /** A login page to send anonymous users to, with `?returnTo=`. Default: none, the guard starts the login itself. */
  loginPath?: string;
  /** Parameters of the login the guard starts (its `returnTo` is the route the user wanted). Default none. */
  loginParams?: Omit<LoginParams, 'returnTo' | 'redirect'>;
}

/**
 * A guard for `router.beforeEach()`. It completes the callback on `callbackPath` (once, however many
 * navigations reach it) and redirects to its `returnTo`; on a protected route it waits for the stored
 * session, then lets a logged-in user through and sends anyone else to `loginPath` or to the provider.
 * `returnTo` values the guard sets are router paths (`to.fullPath`).
 */
export function createAuthGuard(latchkey: LatchkeyAuth, options: AuthGuardOptions = {}): RouteGuard {
  const { callbackPath, callbackErrorPath = '/', requiresAuth = requiresAuthMeta, loginPath } = options;
  const loginParams = { ...options.loginParams };
  return async (to) => {
    if (callbackPath !== undefined && to.path === callbackPath) {
      try {
        return (await latchkey.handleCallback(callbackUrl(latchkey, to))).returnTo;
      } catch {
        return callbackErrorPath;
      }
    }
    if (!requiresAuth(to)) return true;
    await latchkey.ready();
    if (latchkey.isAuthenticated.value) return true;
    if (loginPath !== undefined) return withReturnTo(loginPath, to);
    // Navigates away; a failure is recorded in `error`, and the navigation is cancelled either way.
    await latchkey.login({ ...loginParams, returnTo: to.fullPath }).catch(() => undefined);
    return false;
  };
}

/**
 * The callback as the browser received it: the redirect URI with the route's query. The route's path
 * is relative to the router's base; the redirect URI's path is the page's real one.
 */
function callbackUrl(latchkey: LatchkeyAuth, to: GuardRoute): URL {
  const url = new URL(latchkey.client.options.redirectUri);
  url.search = new URL(to.fullPath, url.origin).search;
  return url;
}
