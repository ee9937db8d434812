import { describe, expect, it } from 'vitest';
import { baseStringUri, signatureBaseString } from './base-string.js';
import { collectParameters } from './request.js';
import { SECTION_3_4_1_1_BASE_STRING, SECTION_3_4_1_REQUEST } from './test-vectors.js';

describe('baseStringUri (RFC 5849 section 3.4.1.2)', () => {
  it('reproduces the two RFC examples', () => {
    expect(baseStringUri('HTTP://Example.com:80/r%20v/X?id=123')).toBe('http://example.com/r%20v/X');
    expect(baseStringUri('https://www.example.net:8080/?q=1')).toBe('https://www.example.net:8080/');
  });

  it('drops default ports, keeps others, and never includes user info or fragment', () => {
    expect(baseStringUri('https://EXAMPLE.com:443/a')).toBe('https://example.com/a');
    expect(baseStringUri('http://example.com:443/a')).toBe('http://example.com:443/a');
    expect(baseStringUri('https://example.com:80/a')).toBe('https://example.com:80/a');
    expect(baseStringUri('https://user:pw@example.com/a#frag')).toBe('https://example.com/a');
    expect(baseStringUri(new URL('http://example.com'))).toBe('http://example.com/');
  });

  it('keeps path case and escapes as sent', () => {
    expect(baseStringUri('http://example.com/Photos/A%2Fb')).toBe('http://example.com/Photos/A%2Fb');
  });

  it('refuses relative URLs and schemes other than http and https', () => {
    expect(() => baseStringUri('/request')).toThrow(expect.objectContaining({ code: 'parameter_rejected' }));
    expect(() => baseStringUri('ftp://example.com/')).toThrow(expect.objectContaining({ code: 'parameter_rejected' }));
  });
});

describe('signatureBaseString (RFC 5849 section 3.4.1.1)', () => {
  it('reproduces the RFC example byte for byte', () => {
    const { method, url } = SECTION_3_4_1_REQUEST;
    expect(signatureBaseString(method, url, collectParameters(SECTION_3_4_1_REQUEST))).toBe(SECTION_3_4_1_1_BASE_STRING);
  });

  it('upper-cases the method', () => {
    expect(signatureBaseString('get', 'http://example.com/', [])).toBe('GET&http%3A%2F%2Fexample.com%2F&');
  });
});
