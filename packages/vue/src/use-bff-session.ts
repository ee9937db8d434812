import { ConfigurationError } from '@latchkey/browser';
import { inject } from 'vue';
import { LATCHKEY_BFF, type LatchkeyBff } from './latchkey-bff.js';

/**
 * The BFF session of the app's `createLatchkeyBff()` plugin: reactive `session`, `user`,
 * `isAuthenticated`, `isLoading` and `error`, and `login`, `logout`, `disconnect`, `fetch`, `refresh`.
 * Call it in `setup()`; without the plugin it throws a `ConfigurationError`.
 */
export function useBffSession(): LatchkeyBff {
  const bff = inject(LATCHKEY_BFF, null);
  if (!bff) throw new ConfigurationError('createLatchkeyBff', 'useBffSession() needs app.use(createLatchkeyBff(client)).');
  return bff;
}
