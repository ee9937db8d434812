import { describe, expect, it } from 'vitest';
import { renderAuthorizePage, renderErrorPage } from './authorize-page.js';
import { html } from './html.js';

describe('provider pages', () => {
  it('escapes every interpolated value', () => {
    expect(html`<p>${'<img src=x onerror=alert(1)>'}</p>`.value).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
    const page = renderAuthorizePage({
      action: '/oauth/authorize',
      clientName: '"><script>alert(1)</script>',
      scopes: [{ name: 'openid', description: 'Know who you are' }],
      hiddenFields: { tx: 'a"b' },
    });
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('value="a&quot;b"');
    expect(page).toContain('name="decision" value="allow"');
    expect(renderErrorPage('Bad <request>', 'x')).toContain('Bad &lt;request&gt;');
  });

  it('puts Allow first, so Enter in the password field allows (regression: implicit submission denied)', () => {
    const page = renderAuthorizePage({ action: '/a', clientName: 'App', scopes: [], hiddenFields: {} });
    expect(/<button[^>]*type="submit"[^>]*>/.exec(page)?.[0]).toContain('value="allow"');
  });
});
