import { describe, expect, it } from 'vitest';
import { buildAuthorizationHeader, parseAuthorizationHeader } from './authorization-header.js';

const malformed = expect.objectContaining({ code: 'malformed_authorization_header' });

describe('parseAuthorizationHeader (RFC 5849 section 3.5.1)', () => {
  it('parses the form of the RFC examples, decoding values and setting realm apart', () => {
    expect(
      parseAuthorizationHeader(
        'OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", ' + 'oauth_callback="http%3A%2F%2Fprinter.example.com%2Fready"',
      ),
    ).toEqual({
      realm: 'Photos',
      params: { oauth_consumer_key: 'dpf43f3p2l4k3l03', oauth_callback: 'http://printer.example.com/ready' },
    });
  });

  it('accepts the forms real clients send: no spaces, spaces around = and commas, any scheme case', () => {
    expect(parseAuthorizationHeader('oauth oauth_a="1",oauth_b="2"').params).toEqual({ oauth_a: '1', oauth_b: '2' });
    expect(parseAuthorizationHeader('OAUTH  oauth_a = "1" ,\toauth_b="" ').params).toEqual({
      oauth_a: '1',
      oauth_b: '',
    });
    expect(parseAuthorizationHeader('OAuth realm=""')).toEqual({ realm: '', params: {} });
    expect(parseAuthorizationHeader('OAuth')).toEqual({ params: {} });
  });

  it('decodes encoded names and multi-byte values', () => {
    expect(parseAuthorizationHeader('OAuth x%40y="caf%C3%A9"').params).toEqual({ 'x@y': 'caf\u00e9' });
  });

  it.each([
    ['another scheme', 'Bearer abc'],
    ['a scheme prefix only', 'OAuthy oauth_a="1"'],
    ['an unquoted value', 'OAuth oauth_a=1'],
    ['a missing =', 'OAuth oauth_a"1"'],
    ['a name alone', 'OAuth oauth_a'],
    ['an unterminated quote', 'OAuth oauth_a="1'],
    ['a missing comma', 'OAuth oauth_a="1" oauth_b="2"'],
    ['a trailing comma', 'OAuth oauth_a="1",'],
    ['an empty list element', 'OAuth oauth_a="1",,oauth_b="2"'],
    ['a duplicate parameter', 'OAuth oauth_a="1", oauth_a="2"'],
    ['a duplicate after decoding', 'OAuth oauth_a="1", oauth%5Fa="2"'],
    ['a duplicate realm', 'OAuth realm="a", realm="b"'],
    ['a backslash escape', 'OAuth oauth_a="1\\"2"'],
    ['a bad escape', 'OAuth oauth_a="%ZZ"'],
    ['garbage after a value', 'OAuth oauth_a="1"garbage'],
    ['garbage', 'OAuth ,;;'],
    ['a control character', 'OAuth oauth_a="1\u00002"'],
  ])('rejects %s', (_label, header) => {
    expect(() => parseAuthorizationHeader(header)).toThrow(malformed);
  });
});

describe('buildAuthorizationHeader', () => {
  it('quotes percent-encoded values, comma separated, realm first and unencoded', () => {
    expect(
      buildAuthorizationHeader({ oauth_consumer_key: 'dpf43f3p2l4k3l03', oauth_callback: 'http://printer.example.com/ready' }, 'Photos'),
    ).toBe('OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", ' + 'oauth_callback="http%3A%2F%2Fprinter.example.com%2Fready"');
  });

  it('round-trips through the parser', () => {
    const params = { oauth_signature: 'a+b/c=', oauth_x: "caf\u00e9 !*'()", 'odd name': '"' };
    expect(parseAuthorizationHeader(buildAuthorizationHeader(params, 'R'))).toEqual({ realm: 'R', params });
  });

  it('refuses a realm it cannot quote, and realm among the parameters', () => {
    expect(() => buildAuthorizationHeader({}, 'a"b')).toThrow(expect.objectContaining({ code: 'parameter_rejected', parameter: 'realm' }));
    expect(() => buildAuthorizationHeader({ realm: 'x' })).toThrow(
      expect.objectContaining({ code: 'parameter_rejected', parameter: 'realm' }),
    );
  });
});
