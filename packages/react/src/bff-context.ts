import { ConfigurationError } from '@latchkey/browser';
import { createBffState, type BffStateStore } from '@latchkey/browser/state';
import { createContext, useContext } from 'react';
import { perClient } from './per-client.js';

export const BffContext = createContext<BffStateStore | null>(null);

export const bffStoreFor = perClient(createBffState);

/** The store of the nearest `<BffProvider>`; a `ConfigurationError` outside one. */
export function useBffStore(hook: string): BffStateStore {
  const store = useContext(BffContext);
  if (!store) throw new ConfigurationError('BffProvider', `${hook} must be used inside <BffProvider>.`);
  return store;
}
