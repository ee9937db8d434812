import { ConfigurationError } from '@latchkey/browser';
import { createAuthState, type AuthStateStore } from '@latchkey/browser/state';
import { createContext, useContext } from 'react';
import { perClient } from './per-client.js';

export const AuthContext = createContext<AuthStateStore | null>(null);

export const authStoreFor = perClient(createAuthState);

/** The store of the nearest `<AuthProvider>`; a `ConfigurationError` outside one. */
export function useAuthStore(hook: string): AuthStateStore {
  const store = useContext(AuthContext);
  if (!store) throw new ConfigurationError('AuthProvider', `${hook} must be used inside <AuthProvider>.`);
  return store;
}
