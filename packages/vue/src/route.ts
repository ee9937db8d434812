/**
 * What the route guards read of a route. vue-router's `RouteLocationNormalized` has these fields, so
 * the guards fit `router.beforeEach()` without this package importing vue-router.
 */
export interface GuardRoute {
  readonly path: string;
  readonly fullPath: string;
  readonly meta: Readonly<Record<PropertyKey, unknown>>;
}

/** A route guard: `true` goes on, `false` cancels, a string redirects to that path. */
export type RouteGuard = (to: GuardRoute) => Promise<boolean | string>;

/** The default test of a protected route: `meta: { requiresAuth: true }` on it or a parent. */
export const requiresAuthMeta = (to: GuardRoute): boolean => to.meta.requiresAuth === true;

/** `path` with `?returnTo=` the route the user wanted. */
export const withReturnTo = (path: string, to: GuardRoute): string =>
  `${path}${path.includes('?') ? '&' : '?'}returnTo=${encodeURIComponent(to.fullPath)}`;
