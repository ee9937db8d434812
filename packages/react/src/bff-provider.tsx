import type { BffClient } from '@latchkey/browser';
import { useEffect, type ReactElement, type ReactNode } from 'react';
import { BffContext, bffStoreFor } from './bff-context.js';

export interface BffProviderProps {
  /** The client from `createBffClient()`, created once, outside any component. Required. */
  client: BffClient;
  children?: ReactNode;
}

/**
 * BFF mode: makes `client` available to `useBffSession()`. On mount it picks up a failed login the BFF
 * redirected back with (removing it from the address bar) and reads the session once.
 */
export function BffProvider({ client, children }: BffProviderProps): ReactElement {
  const store = bffStoreFor(client);
  useEffect(() => store.start(), [store]);
  return <BffContext.Provider value={store}>{children}</BffContext.Provider>;
}
