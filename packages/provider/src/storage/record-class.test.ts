import { describe, expect, it } from 'vitest';
import { nonceKey, temporaryKey, tokenKey, authorizationKey } from '../oauth1/credentials.js';
import { recordClassOf } from './record-class.js';

describe('recordClassOf', () => {
  it('classes the keys the OAuth 1 endpoints write (the authorization request key is checked by the flood test over HTTP)', () => {
    expect(recordClassOf(temporaryKey('t'))).toBe('pending');
    expect(recordClassOf(nonceKey('client', 't', 1, 'n'))).toBe('nonce');
    expect(recordClassOf(tokenKey('t'))).toBe('durable');
    expect(recordClassOf(authorizationKey('t'))).toBe('durable');
  });

  it('treats an unknown namespace as durable, the class never evicted', () => {
    expect(recordClassOf('oauth2:refresh-seen:x')).toBe('durable');
    expect(recordClassOf('something-new')).toBe('durable');
  });
});
