import type { AuthClient } from '@latchkey/browser';
import { useEffect, type ReactElement, type ReactNode } from 'react';
import { AuthContext, authStoreFor } from './auth-context.js';

export interface AuthProviderProps {
  /** The client from `createAuthClient()`, created once, outside any component. Required. */
  client: AuthClient;
  children?: ReactNode;
}

/**
 * Makes `client` available to `useAuth()` and friends. While mounted it loads the stored session and
 * follows the client's events (another tab logging in or out, refreshes), and stops when unmounted.
 */
export function AuthProvider({ client, children }: AuthProviderProps): ReactElement {
  const store = authStoreFor(client);
  useEffect(() => store.connect(), [store]);
  return <AuthContext.Provider value={store}>{children}</AuthContext.Provider>;
}
