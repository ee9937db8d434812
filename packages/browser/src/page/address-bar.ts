/** Authorization response parameters (RFC 6749 4.1.2, RFC 9207, OIDC session management). */
const CALLBACK_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state'];

/**
 * Removes the authorization response from the address bar and the history entry (`replaceState`), so
 * the code never lingers in history, Referer headers or a copied link. Only when `callback` is the
 * page the browser shows.
 */
export function cleanAddressBar(callback: URL, params: readonly string[] = CALLBACK_PARAMS): void {
  if (typeof location === 'undefined' || typeof history === 'undefined') return;
  const current = new URL(location.href);
  if (current.origin !== callback.origin || current.pathname !== callback.pathname) return;
  for (const name of params) current.searchParams.delete(name);
  if (current.href !== location.href) history.replaceState(history.state, '', current.href);
}
