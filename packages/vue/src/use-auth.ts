import { ConfigurationError } from '@latchkey/browser';
import { inject } from 'vue';
import { LATCHKEY_AUTH, type LatchkeyAuth } from './latchkey-auth.js';

/**
 * The session of the app's `createLatchkey()` plugin: reactive `user`, `expiresAtMs`, `isAuthenticated`,
 * `isLoading` and `error` (computed refs), and `login`, `logout`, `getAccessToken`, `fetch`,
 * `handleCallback`. Call it in `setup()`; without the plugin it throws a `ConfigurationError`.
 */
export function useAuth(): LatchkeyAuth {
  const auth = inject(LATCHKEY_AUTH, null);
  if (!auth) throw new ConfigurationError('createLatchkey', 'useAuth() needs app.use(createLatchkey(client)).');
  return auth;
}
