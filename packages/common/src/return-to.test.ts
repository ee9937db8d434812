import { describe, expect, it } from 'vitest';
import { sameOriginPath, sameSitePath, withQueryParams } from './return-to.js';

// The one `returnTo` table: the SDK applies sameOriginPath with the page's origin, the BFF sameSitePath.
const origin = 'https://app.example.test';

describe('sameOriginPath and sameSitePath (no open redirect)', () => {
  it.each([
    ['/account?tab=2#top', '/account?tab=2#top'],
    ['/', '/'],
    ['', '/'],
    ['/a/../b', '/b'],
    ['/start?x=1#top', '/start?x=1#top'],
    ['/wiki/Special:Search?q=a:b', '/wiki/Special:Search?q=a:b'],
    ['/search?next=%2F%2Fkept-as-a-query-value', '/search?next=%2F%2Fkept-as-a-query-value'],
    ['/search?next=https://elsewhere.example', '/search?next=https://elsewhere.example'],
    ['/caf%C3%A9', '/caf%C3%A9'],
    ['/discount/50%25', '/discount/50%25'],
    ['/bad%escape', '/bad%escape'],
  ])('keeps the path %j as %j', (input, expected) => {
    expect(sameOriginPath(input, origin)).toBe(expected);
    expect(sameSitePath(input)).toBe(expected);
  });

  it.each([
    ['https://app.example.test/a/b', '/a/b'],
    ['https://app.example.test', '/'],
    ['account', '/account'],
    // A scheme-relative URL of the page's own scheme is a path (WHATWG URL), so this stays on the origin.
    ['https:evil', '/evil'],
  ])('keeps %j, resolved on the page origin, as %j; the BFF takes paths only', (input, expected) => {
    expect(sameOriginPath(input, origin)).toBe(expected);
    expect(sameSitePath(input)).toBeNull();
  });

  it.each([
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    '/\tevil',
    '/\n/evil.example',
    '/.//evil.example',
    '/%2F%2Fevil.example',
    '/%252F%252Fevil.example',
    '/x/../%2F%2Fevil.example',
    '/%5Cevil.example',
    '/%09/evil.example',
    '/https:evil',
    '/%68ttps:evil',
    'https://evil.example/',
    'https://app.example.test.evil.example/',
    'http://latchkey.invalid/x',
    'javascript:alert(1)',
    'data:text/html,x',
    undefined,
    42,
  ])('refuses %j', (input) => {
    expect(sameOriginPath(input, origin)).toBeNull();
    expect(sameSitePath(input)).toBeNull();
  });
});

describe('withQueryParams', () => {
  it('sets the parameters and keeps the path, the other parameters and the fragment', () => {
    expect(withQueryParams('/start?x=1#top', { latchkey_error: 'authorization_denied' })).toBe(
      '/start?x=1&latchkey_error=authorization_denied#top',
    );
  });
});
