import { ConfigurationError } from '@latchkey/browser';
import type { LatchkeyBff } from './latchkey-bff.js';
import { requiresAuthMeta, withReturnTo, type GuardRoute, type RouteGuard } from './route.js';

export interface BffGuardOptions {
  /** Which routes need a logged-in user. Default: those with `meta.requiresAuth === true`. */
  requiresAuth?: (to: GuardRoute) => boolean;
  /** A login page ("Log in with ...") to send anonymous users to, with `?returnTo=`. Required unless `provider` is set. */
  loginPath?: string;
  /** Log anonymous users in with this provider at once instead. Default: none. */
  provider?: string;
}

/**
 * A guard for `router.beforeEach()` in BFF mode: on a protected route it waits for the first session
 * read, lets a logged-in user through, and sends anyone else to `loginPath` or, with `provider`, to the
 * BFF's login route (`returnTo`: the route the user wanted).
 */
export function createBffGuard(bff: LatchkeyBff, options: BffGuardOptions): RouteGuard {
  const { requiresAuth = requiresAuthMeta } = options;
  const sendAnonymous = anonymousRoute(bff, options);
  return async (to) => {
    if (!requiresAuth(to)) return true;
    await bff.ready();
    if (bff.isAuthenticated.value) return true;
    return sendAnonymous(to);
  };
}

/** Where the guard sends an anonymous user, chosen once: the login page, or else the provider's login at once. */
function anonymousRoute(bff: LatchkeyBff, { loginPath, provider }: BffGuardOptions): (to: GuardRoute) => string | false {
  if (loginPath !== undefined) return (to) => withReturnTo(loginPath, to);
  if (provider !== undefined) {
    return (to) => {
      try {
        bff.login(provider, { returnTo: to.fullPath });
      } catch {
        // Recorded in `error`; the navigation is cancelled either way.
      }
      return false;
    };
  }
  throw new ConfigurationError('loginPath', 'createBffGuard needs loginPath or provider.');
}
