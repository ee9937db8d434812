import { describe, expect, it } from 'vitest';
import { isLatchkeyError } from '@latchkey/common';
import { createPathJoiner } from '../src/http/join-path.js';

/** Why a join was refused (`invalid_proxy_path`): the reason each check records as the error's cause. */
function refusal(join: () => unknown): string | undefined {
  try {
    join();
    return undefined;
  } catch (error) {
    expect(isLatchkeyError(error, 'invalid_proxy_path')).toBe(true);
    return (error as Error & { cause: Error }).cause.message;
  }
}

/** The reasons only the final check after parsing gives. */
const FINAL_CHECK = ['left the base', 'normalized'];

/** Pieces of the tricks that make URL parsers leave a base, combined two and three at a time below. */
const PIECES = [
  'a',
  '',
  '.',
  '..',
  '...',
  '%2e',
  '%2E',
  '.%2e',
  '%2e.',
  '%2e%2e',
  '%2E%2e',
  '..;',
  '..;x=1',
  '.;',
  '%2e%2e;a',
  '%2e%2e%3b',
  '..%3B',
  ';',
  ';..',
  '%3b',
  'a;b',
  '%2f',
  '%2F',
  '..%2f',
  '%5c',
  '\\',
  '@',
  '%40',
  'u@h',
  '%00',
  '%09',
  '\t',
  '\n',
  ' ',
  '%20',
  '%25',
  '%252e',
  '%',
  '%zz',
  'http:',
  'C:',
  ':',
  'a:b',
  '//',
  '?',
  '#',
  '%23',
  '%3f',
  '~',
  'é',
  '%C3%A9',
  '%ED%A0%80',
  '\uD800',
  '．．',
  '%EF%BC%8E%EF%BC%8E',
  '%u002e',
  "!$&'()*+,=",
  '`{}|^',
];
const QUERIES = ['', 'a=1', 'q="<>', 'x=u@h', '?..', 'a=%2e%2e/b', '#frag', 'a=\\b'];
const BASES = ['http://api.example/v1/', 'http://api.example', 'http://api.example/v1', 'http://api.example:8080/a%2e%2e/b/'];

/**
 * The proxy's path joiner (packages/bff/src/http/join-path.ts), guarding ARCHITECTURE.md, security
 * rules: "Proxy: only the provider's `apiBaseUrl` is reachable; the joined URL must stay under it".
 */
describe('createPathJoiner', () => {
  it('for bases a URL parser made, every trick is refused before the final check, or stays under the base as parsed', () => {
    const paths = new Set<string>();
    for (const first of PIECES) {
      for (const second of PIECES) {
        paths.add(`${first}/${second}`);
        paths.add(`x/${first}${second}/`);
        paths.add(`${first}/${second}/..`);
      }
    }
    // Every path with no query, then every query with a few of the paths.
    const calls: [string, string][] = [...paths].map((path) => [path, '']);
    for (const query of QUERIES) for (const path of PIECES) calls.push([`${path}/b`, query]);
    let accepted = 0;
    const failures: string[] = [];
    for (const baseUrl of BASES) {
      const base = new URL(baseUrl);
      const join = createPathJoiner(base);
      const root = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
      for (const [path, query] of calls) {
        const at = `${baseUrl} ${JSON.stringify(path)} ${JSON.stringify(query)}`;
        let target: ReturnType<typeof join> | undefined;
        try {
          target = join(path, query);
        } catch (error) {
          const reason = (error as Error & { cause?: Error }).cause?.message ?? '';
          if (!isLatchkeyError(error, 'invalid_proxy_path') || FINAL_CHECK.includes(reason)) failures.push(`${at}: ${reason}`);
          continue;
        }
        accepted++;
        const parsed = new URL(`${target.origin}${target.path}`);
        if (parsed.origin !== base.origin || !parsed.pathname.startsWith(root) || `${parsed.pathname}${parsed.search}` !== target.path) {
          failures.push(`${at}: sent as ${target.path}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The corpus is not all refusals: plain and encoded paths do get through.
    expect(accepted).toBeGreaterThan(1000);
  });

  it('keeps the final check as defence in depth: a base no URL parser makes is caught there', () => {
    // Neither can come out of `new URL`: an origin with userinfo, a path with a dot segment in it.
    const withUserinfo = createPathJoiner({ origin: 'http://api.example@evil.example', pathname: '/v1/' });
    expect(refusal(() => withUserinfo('items%41'))).toBe('left the base');
    const withDotSegment = createPathJoiner({ origin: 'http://api.example', pathname: '/v1/../' });
    expect(refusal(() => withDotSegment('items%41'))).toBe('left the base');
  });

  it('refuses servlet dot segments (..;x) in every encoding, and accepts ; elsewhere', () => {
    const join = createPathJoiner(new URL('http://api.example/v1/'));
    for (const path of ['..;', '..;jsessionid=1/admin', 'a/..;/..;/x', '.;x/a', '%2e%2e;x', '%2e%2e%3bx', '.%2E%3B/a', '..%3B']) {
      expect(
        refusal(() => join(path)),
        path,
      ).toBeDefined();
    }
    expect(join('a;b/;c/...;d').path).toBe('/v1/a;b/;c/...;d');
  });

  it('allows @ in the query, still not in the path', () => {
    const join = createPathJoiner(new URL('http://api.example/v1/'));
    expect(join('search', 'q=user@example.com').path).toBe('/v1/search?q=user@example.com');
    expect(join('search', 'q=user@example.com&s="x"').path).toBe('/v1/search?q=user@example.com&s=%22x%22');
    expect(refusal(() => join('user@example.com'))).toBeDefined();
    expect(refusal(() => join('user%40example.com'))).toBeDefined();
  });
});
