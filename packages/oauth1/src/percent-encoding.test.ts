import { describe, expect, it } from 'vitest';
import { percentDecode, percentEncode } from './percent-encoding.js';

describe('percentEncode (RFC 5849 section 3.6)', () => {
  it('leaves exactly the unreserved set alone', () => {
    const unreserved = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
    expect(percentEncode(unreserved)).toBe(unreserved);
  });

  it("encodes the characters encodeURIComponent leaves alone: ! * ' ( )", () => {
    expect(percentEncode("!*'()")).toBe('%21%2A%27%28%29');
  });

  it('encodes space as %20 and plus as %2B, never +', () => {
    expect(percentEncode('a b+c')).toBe('a%20b%2Bc');
  });

  it('encodes reserved and other ASCII characters with upper-case hex', () => {
    expect(percentEncode(':/?#[]@$&,;=%"<>\\^`{|}')).toBe('%3A%2F%3F%23%5B%5D%40%24%26%2C%3B%3D%25%22%3C%3E%5C%5E%60%7B%7C%7D');
    expect(percentEncode('\n\t')).toBe('%0A%09');
  });

  it('encodes multi-byte characters as their UTF-8 bytes', () => {
    expect(percentEncode('caf\u00e9')).toBe('caf%C3%A9');
    expect(percentEncode('\u{1F600}')).toBe('%F0%9F%98%80');
    expect(percentEncode('\u20ac')).toBe('%E2%82%AC');
  });

  it('keeps an empty value empty', () => {
    expect(percentEncode('')).toBe('');
  });

  it('refuses a lone surrogate, which has no UTF-8 form', () => {
    expect(() => percentEncode('\ud800')).toThrow(expect.objectContaining({ code: 'parameter_rejected' }));
  });
});

describe('percentDecode', () => {
  it('reverses percentEncode', () => {
    const text = "caf\u00e9 \u{1F600} !*'()~+&=";
    expect(percentDecode(percentEncode(text))).toBe(text);
  });

  it('refuses malformed escapes and invalid UTF-8 instead of replacing them', () => {
    expect(() => percentDecode('%E0%A4%A')).toThrow(expect.objectContaining({ code: 'parameter_rejected' }));
    expect(() => percentDecode('%C3')).toThrow(expect.objectContaining({ code: 'parameter_rejected' }));
    expect(() => percentDecode('%zz', 'oauth_token')).toThrow(
      expect.objectContaining({ code: 'parameter_rejected', parameter: 'oauth_token' }),
    );
  });
});
