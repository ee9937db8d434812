import { CSRF_HEADER, CSRF_HEADER_VALUE } from '@latchkey/common';

/**
 * A browser for tests over plain HTTP: one cookie jar per origin (cookie paths are ignored, which is
 * enough for one flow at a time), redirects followed by hand, and the OP's HTML forms posted as a
 * user would fill them.
 */
export class HttpBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  async fetch(url: string | URL, init: RequestInit & { csrf?: boolean } = {}): Promise<Response> {
    const target = new URL(url);
    const jar = this.jar(target.origin);
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    if (init.csrf) headers.set(CSRF_HEADER, CSRF_HEADER_VALUE);
    const { csrf: _csrf, ...rest } = init;
    const response = await fetch(target, { ...rest, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }

  /** Follows redirects from `url` until one leads to `stopAt`'s origin; returns that URL, not fetched. */
  async followUntil(url: string, stopAt: string): Promise<{ url: string; response?: Response }> {
    let current = url;
    for (let hops = 0; hops < 10; hops++) {
      if (new URL(current).origin === new URL(stopAt).origin) return { url: current };
      const response = await this.fetch(current);
      const location = response.headers.get('location');
      if (location === null) return { url: current, response };
      current = new URL(location, current).href;
    }
    throw new Error('too many redirects');
  }

  /** Posts the form of the page at `pageUrl` with `fields` (and the button `decision`), like a click. */
  async submitForm(pageUrl: string, html: string, fields: Record<string, string>): Promise<string> {
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (action === undefined) throw new Error(`no form at ${pageUrl}: ${html.slice(0, 200)}`);
    const response = await this.fetch(new URL(action.replace(/&amp;/g, '&'), pageUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    const location = response.headers.get('location');
    if (location === null) throw new Error(`the form at ${pageUrl} answered ${response.status} without a redirect`);
    return new URL(location, pageUrl).href;
  }

  private jar(origin: string): Map<string, string> {
    let jar = this.jars.get(origin);
    if (!jar) this.jars.set(origin, (jar = new Map()));
    return jar;
  }
}
