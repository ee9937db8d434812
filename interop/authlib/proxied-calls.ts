import { expect } from 'vitest';
import type { Browser } from '../../packages/bff/test/harness.js';

/**
 * Through the BFF's proxy to an Authlib server's API: a GET of the user, and a form POST whose query and body
 * must arrive as sent (signed over both for OAuth 1, RFC 5849 section 3.4.1.3). `extra` is what the OAuth 1
 * echo adds (the user the token belongs to).
 */
export async function expectProxiedGetAndFormPost(
  browser: Browser,
  provider: string,
  protocol: 'oauth1' | 'oauth2',
  extra: Record<string, string> = {},
): Promise<void> {
  const me = await browser.fetch(`/bff/api/${provider}/me`, { csrf: true });
  expect(me.status).toBe(200);
  expect(await me.json()).toEqual({ sub: '1', preferred_username: 'alice', protocol });

  const echo = await browser.fetch(`/bff/api/${provider}/echo?page=2`, {
    method: 'POST',
    csrf: true,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'title=Beach+day&tag=a%26b',
  });
  expect(echo.status).toBe(200);
  expect(await echo.json()).toEqual({ method: 'POST', query: { page: '2' }, form: { title: 'Beach day', tag: 'a&b' }, ...extra });
}
