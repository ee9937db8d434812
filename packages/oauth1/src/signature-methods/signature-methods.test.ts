import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CORE_A_5_1_BASE_STRING, PRINTER_CLIENT } from '../test-vectors.js';
import { hmacSha1, hmacSha256 } from './hmac.js';
import { plaintext } from './plaintext.js';
import { checkExtraSignatureMethods, getSignatureMethod, signatureMethodNames } from './registry.js';
import { rsaSha1 } from './rsa-sha1.js';

const A_5_KEYS = { consumerSecret: PRINTER_CLIENT.consumerSecret, tokenSecret: 'pfkkdhi9sl3r4s00' };
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = {
  privateKey: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  publicKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
};

describe('HMAC-SHA1 (RFC 5849 section 3.4.2)', () => {
  it('reproduces OAuth Core 1.0 appendix A.5.2', () => {
    expect(hmacSha1.sign(CORE_A_5_1_BASE_STRING, A_5_KEYS)).toBe('tR3+Ty81lMeYAr/Fid0kMTYa/WM=');
    expect(hmacSha1.verify(CORE_A_5_1_BASE_STRING, 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=', A_5_KEYS)).toBe(true);
  });

  it('rejects another secret, another base string and a truncated signature', () => {
    const otherSecret = { ...A_5_KEYS, tokenSecret: 'x' };
    expect(hmacSha1.verify(CORE_A_5_1_BASE_STRING, 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=', otherSecret)).toBe(false);
    expect(hmacSha1.verify(`${CORE_A_5_1_BASE_STRING}x`, 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=', A_5_KEYS)).toBe(false);
    expect(hmacSha1.verify(CORE_A_5_1_BASE_STRING, 'tR3+Ty81lMeYAr/Fid0kMTYa/WM', A_5_KEYS)).toBe(false);
    expect(hmacSha1.verify(CORE_A_5_1_BASE_STRING, '', A_5_KEYS)).toBe(false);
  });

  it('encodes the secrets into the key (an unencoded & would collide)', () => {
    // 'a&' + '' and 'a' + '&' would give the same key if the secrets were not encoded.
    const one = hmacSha1.sign('text', { consumerSecret: 'a&', tokenSecret: '' });
    const two = hmacSha1.sign('text', { consumerSecret: 'a', tokenSecret: '&' });
    expect(one).not.toBe(two);
  });
});

describe('HMAC-SHA256', () => {
  it('is HMAC over SHA-256 with the section 3.4.2 key', () => {
    // Expected value computed separately with `openssl dgst -sha256 -hmac 'kd94hf93k423kf44&pfkkdhi9sl3r4s00'`.
    const signature = hmacSha256.sign(CORE_A_5_1_BASE_STRING, A_5_KEYS);
    expect(signature).toBe('0gCtTYQAxqCKhIE0sltgx7UgHkAs10vrpuYE7xpRBnE=');
    expect(hmacSha256.verify(CORE_A_5_1_BASE_STRING, signature, A_5_KEYS)).toBe(true);
    expect(hmacSha256.verify(CORE_A_5_1_BASE_STRING, hmacSha1.sign(CORE_A_5_1_BASE_STRING, A_5_KEYS), A_5_KEYS)).toBe(false);
  });
});

describe('PLAINTEXT (RFC 5849 section 3.4.4)', () => {
  it('is the encoded consumer secret, &, and the encoded token secret', () => {
    // Section 2.1's example sends oauth_signature="ja893SD9%26": secret ja893SD9, no token secret.
    expect(plaintext.sign('ignored', { consumerSecret: 'ja893SD9' })).toBe('ja893SD9&');
    expect(plaintext.sign('ignored', { consumerSecret: 'a b&', tokenSecret: '\u00e9' })).toBe('a%20b%26&%C3%A9');
    expect(plaintext.verify('ignored', 'ja893SD9&', { consumerSecret: 'ja893SD9' })).toBe(true);
    expect(plaintext.verify('ignored', 'ja893SD9&x', { consumerSecret: 'ja893SD9' })).toBe(false);
    expect(plaintext.verify('ignored', 'ja893SD9', { consumerSecret: 'ja893SD9' })).toBe(false);
  });
});

describe('RSA-SHA1 (RFC 5849 section 3.4.3)', () => {
  it('signs with a PEM private key and verifies with the PEM public key', () => {
    const signature = rsaSha1.sign(CORE_A_5_1_BASE_STRING, { privateKey: pem.privateKey });
    expect(Buffer.from(signature, 'base64')).toHaveLength(256);
    expect(rsaSha1.verify(CORE_A_5_1_BASE_STRING, signature, { publicKey: pem.publicKey })).toBe(true);
    expect(rsaSha1.verify(CORE_A_5_1_BASE_STRING, signature, { publicKey: rsa.publicKey })).toBe(true);
  });

  it('accepts KeyObjects, and verifies with the public half of a private key', () => {
    const signature = rsaSha1.sign('text', { privateKey: rsa.privateKey });
    expect(rsaSha1.verify('text', signature, { privateKey: rsa.privateKey })).toBe(true);
  });

  it('returns false for a wrong key, a changed text, or a signature that is not base64', () => {
    const signature = rsaSha1.sign('text', { privateKey: rsa.privateKey });
    expect(rsaSha1.verify('text', signature, { publicKey: otherRsa.publicKey })).toBe(false);
    expect(rsaSha1.verify('texT', signature, { publicKey: rsa.publicKey })).toBe(false);
    expect(rsaSha1.verify('text', 'not base64!', { publicKey: rsa.publicKey })).toBe(false);
    expect(rsaSha1.verify('text', 'AAAA', { publicKey: rsa.publicKey })).toBe(false);
    expect(rsaSha1.verify('text', '', { publicKey: rsa.publicKey })).toBe(false);
  });

  it('reports an unreadable, missing or non-RSA key as invalid_key', () => {
    const invalidKey = expect.objectContaining({ code: 'invalid_key' });
    const garbage = '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n';
    expect(() => rsaSha1.verify('text', 'AAAA', { publicKey: garbage })).toThrow(invalidKey);
    expect(() => rsaSha1.sign('text', { privateKey: 'garbage' })).toThrow(invalidKey);
    expect(() => rsaSha1.sign('text', {})).toThrow(invalidKey);
    expect(() => rsaSha1.verify('text', 'AAAA', {})).toThrow(invalidKey);
    expect(() => rsaSha1.sign('text', { privateKey: rsa.publicKey })).toThrow(invalidKey);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => rsaSha1.verify('text', 'AAAA', { publicKey: ec.publicKey })).toThrow(invalidKey);
  });
});

describe('signature method registry', () => {
  it('has the three RFC methods built in', () => {
    expect(getSignatureMethod('HMAC-SHA1')).toBe(hmacSha1);
    expect(getSignatureMethod('RSA-SHA1')).toBe(rsaSha1);
    expect(getSignatureMethod('PLAINTEXT')).toBe(plaintext);
  });

  it('rejects unknown names, case-sensitively', () => {
    const rejected = expect.objectContaining({
      code: 'signature_method_rejected',
      parameter: 'oauth_signature_method',
    });
    expect(() => getSignatureMethod('hmac-sha1')).toThrow(rejected);
    expect(() => getSignatureMethod('MD5')).toThrow(rejected);
    expect(() => getSignatureMethod('toString')).toThrow(rejected);
  });

  it('takes extra methods per call, never process-wide, and never in place of a built-in one', () => {
    const extra = { 'HMAC-SHA256': hmacSha256 };
    expect(getSignatureMethod('HMAC-SHA256', { extraSignatureMethods: extra })).toBe(hmacSha256);
    expect(signatureMethodNames({ extraSignatureMethods: extra })).toContain('HMAC-SHA256');
    // Another caller without them does not see them.
    expect(() => getSignatureMethod('HMAC-SHA256')).toThrow(expect.objectContaining({ code: 'signature_method_rejected' }));
    expect(signatureMethodNames()).toEqual(['HMAC-SHA1', 'RSA-SHA1', 'PLAINTEXT']);
    expect(getSignatureMethod('HMAC-SHA1', { extraSignatureMethods: { 'HMAC-SHA1': hmacSha256 } })).toBe(hmacSha1);
    expect(() => getSignatureMethod('toString', { extraSignatureMethods: extra })).toThrow(
      expect.objectContaining({ code: 'signature_method_rejected' }),
    );
    const refused = expect.objectContaining({ code: 'configuration_error', option: 'extraSignatureMethods' });
    expect(() => checkExtraSignatureMethods({ 'HMAC-SHA1': hmacSha256 })).toThrow(refused);
    expect(() => checkExtraSignatureMethods({ 'bad name': hmacSha256 })).toThrow(refused);
    expect(() => checkExtraSignatureMethods({ 'X-1': {} as never })).toThrow(refused);
    expect(() => checkExtraSignatureMethods(extra)).not.toThrow();
  });
});
