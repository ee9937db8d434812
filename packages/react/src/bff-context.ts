import { ConfigurationError } from '@latchkey/browser';
import { createContext, useContext } from 'react';
import type { BffStore } from './bff-store.js';

export const BffContext = createContext<BffStore | null>(null);

/** The store of the nearest `<BffProvider>`; a `ConfigurationError` outside one. */
export function useBffStore(hook: string): BffStore {
  const store = useContext(BffContext);
  if (!store) throw new ConfigurationError('BffProvider', `${hook} must be used inside <BffProvider>.`);
  return store;
}
