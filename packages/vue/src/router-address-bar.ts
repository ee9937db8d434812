import type { App } from 'vue';

type QueryValue = string | null | (string | null)[];

/**
 * What this module reads of a vue-router `Router` (`app.config.globalProperties.$router`), so the
 * package does not import vue-router.
 */
interface RouterLike {
  isReady(): Promise<unknown>;
  readonly currentRoute: {
    readonly value: { readonly path: string; readonly query: Readonly<Record<string, QueryValue>>; readonly hash: string };
  };
  replace(to: { path: string; query: Record<string, QueryValue>; hash: string }): Promise<unknown>;
}

function isRouterLike(value: unknown): value is RouterLike {
  if (typeof value !== 'object' || value === null) return false;
  const router = value as Partial<Record<keyof RouterLike, unknown>>;
  return typeof router.isReady === 'function' && typeof router.replace === 'function' && typeof router.currentRoute === 'object';
}

/** Query parameters of the page's address that `change` removed from it (with `history.replaceState`). */
export function removedQueryParams(change: () => void): string[] {
  if (typeof location === 'undefined') {
    change();
    return [];
  }
  const before = new URL(location.href);
  change();
  const after = new URL(location.href);
  if (before.pathname !== after.pathname) return [];
  return [...new Set(before.searchParams.keys())].filter((name) => !after.searchParams.has(name));
}

/**
 * Keeps `names` out of the address bar once vue-router's first navigation is done. `createWebHistory`
 * reads the address when the router is made, and the first navigation writes that URL back
 * (`history.replaceState`), so parameters removed in between come back, and a reload shows them again.
 * The router may be installed after the plugin: it is looked for once the synchronous `app.use()`
 * chain is done, then the route is replaced through the router so its state and the address agree.
 */
export function keepOutOfRouterQuery(app: App, names: readonly string[]): void {
  queueMicrotask(() => {
    const router: unknown = app.config.globalProperties.$router;
    if (!isRouterLike(router)) return;
    router
      .isReady()
      .then(() => {
        const { path, query, hash } = router.currentRoute.value;
        if (!names.some((name) => Object.hasOwn(query, name))) return;
        const rest = Object.fromEntries(Object.entries(query).filter(([name]) => !names.includes(name)));
        return router.replace({ path, query: rest, hash });
      })
      // A failed first navigation or a cancelled replace is the router's to report; the address stays.
      .catch(() => undefined);
  });
}
