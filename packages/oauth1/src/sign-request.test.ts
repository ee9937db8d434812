import { describe, expect, it } from 'vitest';
import { parseAuthorizationHeader } from './authorization-header.js';
import { signatureBaseString } from './base-string.js';
import { collectParameters } from './request.js';
import { signRequest, type SignOptions } from './sign-request.js';
import { CORE_A_5_1_BASE_STRING, PRINTER_CLIENT } from './test-vectors.js';

/** The `oauth_signature` of a request signed in the header. */
function headerSignature(options: SignOptions): string | undefined {
  const { authorization } = signRequest(options).headers;
  return authorization === undefined ? undefined : parseAuthorizationHeader(authorization).params.oauth_signature;
}

describe('signRequest against the RFC 5849 section 1.2 example', () => {
  const client = { consumerKey: PRINTER_CLIENT.consumerKey, realm: 'Photos' };

  it('signs the temporary credential request', () => {
    const signed = signRequest({
      ...client,
      method: 'POST',
      url: 'https://photos.example.net/initiate',
      keys: { consumerSecret: PRINTER_CLIENT.consumerSecret },
      oauthParams: { oauth_callback: 'http://printer.example.com/ready' },
      timestamp: 137131200,
      nonce: 'wIjqoS',
    });
    expect(signed).toEqual({
      method: 'POST',
      url: 'https://photos.example.net/initiate',
      headers: {
        authorization:
          'OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_signature_method="HMAC-SHA1", ' +
          'oauth_timestamp="137131200", oauth_nonce="wIjqoS", ' +
          'oauth_callback="http%3A%2F%2Fprinter.example.com%2Fready", ' +
          'oauth_signature="74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D"',
      },
    });
  });

  it('signs the token request', () => {
    expect(
      headerSignature({
        ...client,
        method: 'POST',
        url: 'https://photos.example.net/token',
        token: 'hh5s93j4hdidpola',
        keys: { consumerSecret: PRINTER_CLIENT.consumerSecret, tokenSecret: 'hdhd0244k9j7ao03' },
        oauthParams: { oauth_verifier: 'hfdp7dh39dks9884' },
        timestamp: 137131201,
        nonce: 'walatlh',
      }),
    ).toBe('gKgrFCywp7rO0OXSjdot/IHF7IU=');
  });

  it('signs the protected resource request, query parameters included', () => {
    expect(
      headerSignature({
        ...client,
        method: 'GET',
        url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
        token: 'nnch734d00sl2jdk',
        keys: { consumerSecret: PRINTER_CLIENT.consumerSecret, tokenSecret: 'pfkkdhi9sl3r4s00' },
        timestamp: 137131202,
        nonce: 'chapoH',
      }),
    ).toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=');
  });
});

describe('signRequest against OAuth Core 1.0 appendix A.5', () => {
  const options: SignOptions = {
    method: 'GET',
    url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
    consumerKey: PRINTER_CLIENT.consumerKey,
    token: 'nnch734d00sl2jdk',
    keys: { consumerSecret: PRINTER_CLIENT.consumerSecret, tokenSecret: 'pfkkdhi9sl3r4s00' },
    oauthParams: { oauth_version: '1.0' },
    nonce: 'kllo9940pd9333jh',
    timestamp: 1191242096,
  };

  it('builds the A.5.1 base string from what it sends', () => {
    const signed = signRequest(options);
    expect(signatureBaseString(signed.method, signed.url, collectParameters({ ...signed }))).toBe(CORE_A_5_1_BASE_STRING);
  });

  it('produces the A.5.2 signature in every placement', () => {
    expect(headerSignature(options)).toBe('tR3+Ty81lMeYAr/Fid0kMTYa/WM=');
    const inQuery = signRequest({ ...options, placement: 'query' });
    expect(inQuery.url).toBe(
      'http://photos.example.net/photos?file=vacation.jpg&size=original&oauth_consumer_key=dpf43f3p2l4k3l03' +
        '&oauth_token=nnch734d00sl2jdk&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1191242096' +
        '&oauth_nonce=kllo9940pd9333jh&oauth_version=1.0&oauth_signature=tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D',
    );
    expect(inQuery.headers).toEqual({});
    expect(inQuery.body).toBeUndefined();
  });
});

describe('signRequest placements', () => {
  const base: SignOptions = {
    method: 'post',
    url: 'https://api.example.com/status?x=1#top',
    consumerKey: 'key',
    keys: { consumerSecret: 'secret' },
    form: { status: "caf\u00e9 !*'()" },
    timestamp: 1700000000,
    nonce: 'n',
  };

  it('sends the form body encoded, with its content type, and the method upper-case', () => {
    const signed = signRequest(base);
    expect(signed.method).toBe('POST');
    expect(signed.url).toBe(base.url);
    expect(signed.body).toBe('status=caf%C3%A9%20%21%2A%27%28%29');
    expect(signed.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(signed.headers.authorization).toMatch(/^OAuth oauth_consumer_key="key", /);
  });

  it('puts the protocol parameters after the form parameters in the body placement', () => {
    const signed = signRequest({
      ...base,
      placement: 'body',
      form: [
        ['a', '1'],
        ['a', '0'],
      ],
    });
    expect(signed.headers.authorization).toBeUndefined();
    expect(signed.body).toMatch(/^a=1&a=0&oauth_consumer_key=key&oauth_signature_method=HMAC-SHA1&/);
    expect(signed.body).toMatch(/&oauth_signature=[^&]+$/);
  });

  it('appends to the query and drops the fragment in the query placement', () => {
    const { form: _form, ...noForm } = base;
    const signed = signRequest({ ...noForm, placement: 'query' });
    expect(signed.url).toMatch(/^https:\/\/api\.example\.com\/status\?x=1&oauth_consumer_key=key&/);
    expect(signed.url).not.toContain('#');
    const bare = signRequest({ ...noForm, url: 'https://api.example.com/status', placement: 'query' });
    expect(bare.url).toMatch(/^https:\/\/api\.example\.com\/status\?oauth_consumer_key=key&/);
  });

  it('makes a fresh nonce and the current time when not given', () => {
    const { nonce: _nonce, timestamp: _timestamp, ...unfixed } = base;
    const first = parseAuthorizationHeader(signRequest(unfixed).headers.authorization ?? '');
    const second = parseAuthorizationHeader(signRequest(unfixed).headers.authorization ?? '');
    expect(first.params.oauth_nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(first.params.oauth_nonce).not.toBe(second.params.oauth_nonce);
    expect(Math.abs(Number(first.params.oauth_timestamp) - Date.now() / 1000)).toBeLessThan(600);
  });

  it('does not modify the options it is given', () => {
    const form: Array<[string, string]> = [['a', '1']];
    const options = { ...base, form, oauthParams: { oauth_callback: 'oob' } };
    const snapshot = structuredClone(options);
    signRequest({ ...options, placement: 'body' });
    expect(options).toEqual(snapshot);
  });

  it.each([
    ['an empty consumer key', { consumerKey: '' }, 'consumerKey'],
    ['a timestamp that is not a positive integer', { timestamp: 1.5 }, 'timestamp'],
    ['a zero timestamp', { timestamp: 0 }, 'timestamp'],
    ['an empty nonce', { nonce: '' }, 'nonce'],
    ['oauthParams overriding the signature', { oauthParams: { oauth_signature: 'x' } }, 'oauthParams'],
    ['oauthParams overriding the nonce', { oauthParams: { oauth_nonce: 'x' } }, 'oauthParams'],
    ['oauthParams without the oauth_ prefix', { oauthParams: { callback: 'x' } }, 'oauthParams'],
    ['a body placement on GET', { method: 'GET', placement: 'body' as const }, 'placement'],
  ])('refuses %s', (_label, change, option) => {
    expect(() => signRequest({ ...base, ...change })).toThrow(expect.objectContaining({ code: 'configuration_error', option }));
  });

  it('refuses an unknown signature method', () => {
    expect(() => signRequest({ ...base, signatureMethod: 'MD5' })).toThrow(expect.objectContaining({ code: 'signature_method_rejected' }));
  });
});
