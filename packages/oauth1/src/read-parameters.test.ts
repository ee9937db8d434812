import { describe, expect, it } from 'vitest';
import { readOAuthParameters } from './read-parameters.js';
import type { OAuth1Request } from './request.js';
import { SECTION_3_4_1_REQUEST } from './test-vectors.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const COMPLETE =
  'oauth_consumer_key="key", oauth_signature_method="HMAC-SHA1", oauth_signature="c2ln", ' + 'oauth_timestamp="137131201", oauth_nonce="n"';

function withHeader(authorization: string, rest: Partial<OAuth1Request> = {}): OAuth1Request {
  return { method: 'GET', url: 'https://example.com/r', headers: { authorization }, ...rest };
}

function codeOf(request: OAuth1Request): { code?: unknown; parameter?: unknown } {
  try {
    readOAuthParameters(request);
  } catch (error) {
    const { code, parameter } = error as { code?: unknown; parameter?: unknown };
    return { code, parameter };
  }
  throw new Error('readOAuthParameters accepted the request');
}

describe('readOAuthParameters', () => {
  it('reads the section 3.4.1 example from its header', () => {
    const received = readOAuthParameters(SECTION_3_4_1_REQUEST);
    expect(received).toMatchObject({
      consumerKey: '9djdj82h48djs9d2',
      token: 'kkk9d7dh3k39sjv7',
      signatureMethod: 'HMAC-SHA1',
      signature: 'bYT5CMsGcbgUdFHObYMEfcx6bsw=',
      timestamp: 137131201,
      nonce: '7d8f3e4a',
      placement: 'header',
    });
    expect(received.params).toHaveLength(11);
    expect(received.params.some(([name]) => name === 'oauth_signature' || name === 'realm')).toBe(false);
  });

  it('reads the query and the body placements, and the optional parameters', () => {
    const query =
      'oauth_consumer_key=key&oauth_signature_method=HMAC-SHA1&oauth_signature=a%2Bb&oauth_timestamp=1' +
      '&oauth_nonce=n&oauth_callback=oob&oauth_verifier=v&oauth_version=1.0';
    expect(readOAuthParameters({ method: 'GET', url: `https://example.com/r?${query}` })).toMatchObject({
      placement: 'query',
      signature: 'a+b',
      callback: 'oob',
      verifier: 'v',
      version: '1.0',
    });
    expect(readOAuthParameters({ method: 'POST', url: 'https://example.com/r?x=1', headers: FORM, body: query })).toMatchObject({
      placement: 'body',
      timestamp: 1,
    });
  });

  it('lets PLAINTEXT leave out timestamp and nonce (section 3.1)', () => {
    const received = readOAuthParameters(
      withHeader('OAuth oauth_consumer_key="key", oauth_signature_method="PLAINTEXT", oauth_signature="s%26"'),
    );
    expect(received.signature).toBe('s&');
    expect(received.timestamp).toBeNaN();
    expect(received.nonce).toBe('');
  });

  it('ignores non-protocol parameters when choosing the placement', () => {
    const received = readOAuthParameters({
      method: 'POST',
      url: 'https://example.com/r?a=1',
      headers: { ...FORM, authorization: `OAuth ${COMPLETE}` },
      body: 'b=2',
    });
    expect(received.placement).toBe('header');
    expect(received.params.slice(0, 2)).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it.each([
    ['oauth_consumer_key', COMPLETE.replace('oauth_consumer_key="key", ', '')],
    ['oauth_signature_method', COMPLETE.replace('oauth_signature_method="HMAC-SHA1", ', '')],
    ['oauth_signature', COMPLETE.replace('oauth_signature="c2ln", ', '')],
    ['oauth_timestamp', COMPLETE.replace('oauth_timestamp="137131201", ', '')],
    ['oauth_nonce', COMPLETE.replace(', oauth_nonce="n"', '')],
    ['oauth_consumer_key', COMPLETE.replace('oauth_consumer_key="key"', 'oauth_consumer_key=""')],
  ])('reports a missing %s as parameter_absent', (parameter, params) => {
    expect(codeOf(withHeader(`OAuth ${params}`))).toEqual({ code: 'parameter_absent', parameter });
  });

  it('reports a request without any protocol parameter as parameter_absent', () => {
    expect(codeOf({ method: 'GET', url: 'https://example.com/r?a=1' })).toEqual({
      code: 'parameter_absent',
      parameter: 'oauth_consumer_key',
    });
  });

  it('rejects protocol parameters in two placements', () => {
    expect(codeOf(withHeader(`OAuth ${COMPLETE}`, { url: 'https://example.com/r?oauth_token=t' }))).toEqual({
      code: 'parameter_rejected',
      parameter: 'oauth_token',
    });
    expect(
      codeOf({
        method: 'POST',
        url: 'https://example.com/r?oauth_consumer_key=key',
        headers: FORM,
        body: 'oauth_nonce=n',
      }).code,
    ).toBe('parameter_rejected');
  });

  it('rejects a protocol parameter repeated in the query', () => {
    const query =
      'oauth_consumer_key=key&oauth_signature_method=HMAC-SHA1&oauth_signature=s&oauth_timestamp=1' + '&oauth_nonce=a&oauth_nonce=b';
    expect(codeOf({ method: 'GET', url: `https://example.com/r?${query}` })).toEqual({
      code: 'parameter_rejected',
      parameter: 'oauth_nonce',
    });
  });

  it('rejects a malformed header and a duplicate in it', () => {
    expect(codeOf(withHeader('OAuth oauth_consumer_key=key')).code).toBe('malformed_authorization_header');
    expect(codeOf(withHeader(`OAuth ${COMPLETE}, oauth_nonce="m"`)).code).toBe('malformed_authorization_header');
  });

  it('rejects an unknown signature method', () => {
    expect(codeOf(withHeader(`OAuth ${COMPLETE.replace('HMAC-SHA1', 'MD5')}`))).toEqual({
      code: 'signature_method_rejected',
      parameter: 'oauth_signature_method',
    });
  });

  it('rejects any oauth_version but 1.0', () => {
    expect(codeOf(withHeader(`OAuth ${COMPLETE}, oauth_version="2.0"`))).toEqual({
      code: 'version_rejected',
      parameter: 'oauth_version',
    });
    expect(codeOf(withHeader(`OAuth ${COMPLETE}, oauth_version=""`)).code).toBe('version_rejected');
  });

  it.each(['0', '-1', '1.5', '12a', ' 1', '01', '1e3', '99999999999999999999'])('rejects the timestamp %j', (timestamp) => {
    expect(codeOf(withHeader(`OAuth ${COMPLETE.replace('137131201', timestamp)}`))).toEqual({
      code: 'parameter_rejected',
      parameter: 'oauth_timestamp',
    });
  });
});
