import { useAuthStore } from './auth-context.js';

/** `fetch` with the access token attached for the client's `apiOrigins` (see `AuthClient.fetch`). */
export type AuthFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/**
 * The client's `fetch`: adds `Authorization: Bearer` for allow-listed origins only, and refreshes and
 * retries once on an `invalid_token` 401. The function is the same on every render.
 */
export function useAuthFetch(): AuthFetch {
  return useAuthStore('useAuthFetch()').client.fetch;
}
