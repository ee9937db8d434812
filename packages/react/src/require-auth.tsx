import type { AuthClient, LoginParams } from '@latchkey/browser';
import { useEffect, useRef, type ReactElement, type ReactNode } from 'react';
import { useAuthStore } from './auth-context.js';
import { useAuth } from './use-auth.js';

export interface RequireAuthProps {
  /** Rendered only for a logged-in user. */
  children?: ReactNode;
  /** Rendered while the session loads, while the login starts, and when no login is started. Default: nothing. */
  fallback?: ReactNode;
  /** Start a login when no one is logged in. Default true; `false` renders `fallback` instead (a login page). */
  redirect?: boolean;
  /** Parameters of that login. Default: `returnTo` the current path. */
  loginParams?: Omit<LoginParams, 'redirect'>;
}

/** The page shows an authorization response on the redirect URI: the login is finishing, not missing. */
function isCallbackPage(client: AuthClient): boolean {
  const page = new URL(location.href);
  const redirect = new URL(client.options.redirectUri);
  return page.origin === redirect.origin && page.pathname === redirect.pathname && page.searchParams.has('state');
}

/**
 * A gate: its children only for a logged-in user. Otherwise it shows `fallback` and starts a login
 * (one, however often it mounts), except after a failure, when `useAuth().error` is set: a refused
 * login would otherwise send the user straight back to the provider. Show the error in `fallback`.
 */
export function RequireAuth({ children, fallback = null, redirect = true, loginParams }: RequireAuthProps): ReactElement {
  const store = useAuthStore('<RequireAuth>');
  const { isAuthenticated, isLoading, error } = useAuth();
  const params = useRef(loginParams);
  params.current = loginParams;
  const mustLogIn = redirect && !isLoading && !isAuthenticated && error === null;
  useEffect(() => {
    // Decided on the state as it is now: an effect that ran before this one (an <AuthCallback>) may
    // have started handling the callback since this render.
    const now = store.getSnapshot();
    if (!mustLogIn || now.isLoading || now.isAuthenticated || now.error || isCallbackPage(store.client)) return;
    // A rejection is recorded in `error`, which stops further attempts.
    store.loginOnce(params.current).catch(() => undefined);
  }, [mustLogIn, store]);
  return <>{isAuthenticated ? children : fallback}</>;
}
