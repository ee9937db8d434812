import { describe, expect, it } from 'vitest';
import { normalizeParameters } from './parameters.js';
import { collectParameters, decodeForm } from './request.js';
import { SECTION_3_4_1_3_2_NORMALIZED, SECTION_3_4_1_REQUEST } from './test-vectors.js';

describe('collectParameters (RFC 5849 section 3.4.1.3.1)', () => {
  it('collects the decoded parameters of the section 3.4.1.3.1 example', () => {
    expect(collectParameters(SECTION_3_4_1_REQUEST)).toEqual([
      ['b5', '=%3D'],
      ['a3', 'a'],
      ['c@', ''],
      ['a2', 'r b'],
      ['c2', ''],
      ['a3', '2 q'],
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
    ]);
  });

  it('reads the body only when it is form-encoded (media type parameters and case allowed)', () => {
    const request = { method: 'POST', url: 'https://example.com/r', body: 'a=1' };
    expect(collectParameters({ ...request, headers: { 'content-type': 'application/json' } })).toEqual([]);
    expect(collectParameters({ ...request, headers: {} })).toEqual([]);
    const withCharset = { 'content-type': 'Application/X-WWW-Form-URLEncoded; charset=utf-8' };
    expect(collectParameters({ ...request, headers: withCharset })).toEqual([['a', '1']]);
  });

  it('keeps a realm sent as a query parameter; only the header realm is excluded', () => {
    expect(
      collectParameters({
        method: 'GET',
        url: 'https://example.com/r?realm=q',
        headers: { authorization: 'OAuth realm="h", oauth_nonce="n"' },
      }),
    ).toEqual([
      ['realm', 'q'],
      ['oauth_nonce', 'n'],
    ]);
  });

  it('excludes oauth_signature from every source', () => {
    expect(collectParameters({ method: 'GET', url: 'https://example.com/r?oauth_signature=x&a=1' })).toEqual([['a', '1']]);
  });

  it('ignores an Authorization header of another scheme', () => {
    const basic = { authorization: 'Basic Zm9vOmJhcg==' };
    expect(collectParameters({ method: 'GET', url: 'https://example.com/r', headers: basic })).toEqual([]);
  });
});

describe('decodeForm', () => {
  it('decodes + as space, keeps names without = as empty values, skips empty pairs', () => {
    expect(decodeForm('a=1+2&&b&c=%2B&d==')).toEqual([
      ['a', '1 2'],
      ['b', ''],
      ['c', '+'],
      ['d', '='],
    ]);
  });

  it('refuses malformed escapes', () => {
    expect(() => decodeForm('a=%G1')).toThrow(expect.objectContaining({ code: 'parameter_rejected', parameter: 'a' }));
  });
});

describe('normalizeParameters (RFC 5849 section 3.4.1.3.2)', () => {
  it('reproduces the RFC example byte for byte', () => {
    expect(normalizeParameters(collectParameters(SECTION_3_4_1_REQUEST))).toBe(SECTION_3_4_1_3_2_NORMALIZED);
  });

  it('sorts by encoded name, then by encoded value for duplicate names', () => {
    expect(
      normalizeParameters([
        ['b', '2'],
        ['a', 'z'],
        ['a', ' '],
        ['a', 'A'],
        ['A', '1'],
      ]),
    ).toBe('A=1&a=%20&a=A&a=z&b=2');
  });

  it('sorts by the encoded form, not the raw text', () => {
    // Raw '~' (0x7E) sorts after 'z'; encoded '!' is '%21', which sorts before digits.
    expect(
      normalizeParameters([
        ['x', '~'],
        ['x', 'z'],
        ['x', '!'],
        ['x', '0'],
      ]),
    ).toBe('x=%21&x=0&x=z&x=~');
  });

  it('drops oauth_signature and keeps empty values with their =', () => {
    expect(
      normalizeParameters([
        ['oauth_signature', 'sig'],
        ['empty', ''],
      ]),
    ).toBe('empty=');
  });
});
