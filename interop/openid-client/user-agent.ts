/**
 * The user's browser at @latchkey/provider, over HTTP: reads the login + consent page, answers it, and
 * keeps the provider's login session cookie (which `fetch` does not keep by itself).
 */
import { readAuthorizeForm } from '../../test-support/authorize-form.js';
import { ALICE } from '../../test-support/provider.js';

export interface SignedIn {
  /** The redirect back to the client, which openid-client then checks. */
  callback: URL;
  /** The provider's login session cookie, as a `Cookie` header value. */
  cookie: string;
}

function redirectOf(response: Response, base: URL): URL {
  const location = response.headers.get('location');
  if (location === null) throw new Error(`Expected a redirect, got HTTP ${response.status}`);
  return new URL(location, base);
}

/** Signs the test user in with the password and allows the request. */
export async function signIn(authorizationUrl: URL): Promise<SignedIn> {
  const form = await readAuthorizeForm(authorizationUrl.toString());
  const response = await fetch(form.action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form.fields, username: ALICE.username, password: ALICE.password, decision: 'allow' }),
  });
  const cookie = response.headers
    .getSetCookie()
    .find((line) => line.startsWith('latchkey-op-session='))
    ?.split(';')[0];
  if (cookie === undefined) throw new Error('The provider set no login session cookie.');
  return { callback: redirectOf(response, authorizationUrl), cookie };
}

/** Follows an authorization URL with the session cookie, expecting an answer without any page (prompt=none). */
export async function signedInRedirect(authorizationUrl: URL, cookie: string): Promise<URL> {
  const response = await fetch(authorizationUrl, { redirect: 'manual', headers: { cookie } });
  await response.arrayBuffer();
  return redirectOf(response, authorizationUrl);
}
