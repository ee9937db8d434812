import { ConfigurationError } from '@latchkey/browser';
import { createContext, useContext } from 'react';
import type { AuthStore } from './auth-store.js';

export const AuthContext = createContext<AuthStore | null>(null);

/** The store of the nearest `<AuthProvider>`; a `ConfigurationError` outside one. */
export function useAuthStore(hook: string): AuthStore {
  const store = useContext(AuthContext);
  if (!store) throw new ConfigurationError('AuthProvider', `${hook} must be used inside <AuthProvider>.`);
  return store;
}
