import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readOAuthParameters } from './read-parameters.js';
import type { OAuth1Request } from './request.js';
import { signRequest, type SignaturePlacement, type SignOptions } from './sign-request.js';
import { hmacSha256 } from './signature-methods/hmac.js';
import type { SigningKeys } from './signature-methods/signature-method.js';
import { PRINTER_CLIENT } from './test-vectors.js';
import { verifySignature } from './verify.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = {
  privateKey: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  publicKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
};
const secrets = { consumerSecret: 'cs \u00e9&', tokenSecret: "ts!*'()" };

const METHODS: Array<{ name: string; signKeys: SigningKeys; verifyKeys: SigningKeys; wrongKeys: SigningKeys }> = [
  { name: 'HMAC-SHA1', signKeys: secrets, verifyKeys: secrets, wrongKeys: { ...secrets, tokenSecret: 'other' } },
  {
    name: 'RSA-SHA1',
    signKeys: { privateKey: pem.privateKey },
    verifyKeys: { publicKey: pem.publicKey },
    wrongKeys: { publicKey: otherRsa.publicKey },
  },
  { name: 'PLAINTEXT', signKeys: secrets, verifyKeys: secrets, wrongKeys: { ...secrets, consumerSecret: 'other' } },
  { name: 'HMAC-SHA256', signKeys: secrets, verifyKeys: secrets, wrongKeys: { ...secrets, consumerSecret: 'other' } },
];
const PLACEMENTS: SignaturePlacement[] = ['header', 'query', 'body'];

// Passed to every signer and verifier here, as an application passes its own.
const extraSignatureMethods = { 'HMAC-SHA256': hmacSha256 };

function signed(signatureMethod: string, placement: SignaturePlacement, keys: SigningKeys): OAuth1Request {
  const options: SignOptions = {
    method: 'POST',
    url: 'https://API.example.com:443/photos/upload?album=a%20b&tag=x&tag=%2B',
    form: [
      ['title', "caf\u00e9 \u{1F600} !*'()"],
      ['empty', ''],
    ],
    consumerKey: PRINTER_CLIENT.consumerKey,
    token: 'nnch734d00sl2jdk',
    keys,
    signatureMethod,
    extraSignatureMethods,
    placement,
    realm: 'Photos',
  };
  return signRequest(options);
}

describe('sign, read and verify round trips', () => {
  for (const method of METHODS) {
    for (const placement of PLACEMENTS) {
      describe(`${method.name} in the ${placement}`, () => {
        const request = signed(method.name, placement, method.signKeys);

        it('verifies with the right keys', () => {
          const received = readOAuthParameters(request, { extraSignatureMethods });
          expect(received.placement).toBe(placement);
          expect(received.signatureMethod).toBe(method.name);
          expect(received.consumerKey).toBe(PRINTER_CLIENT.consumerKey);
          expect(verifySignature(request, received, method.verifyKeys, { extraSignatureMethods })).toBe(true);
        });

        it('fails with the wrong keys', () => {
          const received = readOAuthParameters(request, { extraSignatureMethods });
          expect(verifySignature(request, received, method.wrongKeys, { extraSignatureMethods })).toBe(false);
        });
      });
    }
  }
});

describe('verifySignature rejects tampering', () => {
  const request = signed('HMAC-SHA1', 'header', secrets);

  it('of a body parameter', () => {
    const tampered = { ...request, body: (request.body ?? '').replace('title=', 'title=x') };
    expect(verifySignature(tampered, readOAuthParameters(tampered), secrets)).toBe(false);
  });

  it('of an added body parameter', () => {
    const tampered = { ...request, body: `${request.body ?? ''}&admin=1` };
    expect(verifySignature(tampered, readOAuthParameters(tampered), secrets)).toBe(false);
  });

  it('of a query parameter, the host, the path and the method', () => {
    for (const tampered of [
      { ...request, url: request.url.replace('tag=x', 'tag=y') },
      { ...request, url: request.url.replace('API.example.com', 'evil.example.com') },
      { ...request, url: request.url.replace('/upload', '/delete') },
      { ...request, method: 'PUT' },
    ]) {
      expect(verifySignature(tampered, readOAuthParameters(tampered), secrets)).toBe(false);
    }
  });

  it('of the body content type, which takes the body out of the signed parameters', () => {
    const tampered = { ...request, headers: { ...request.headers, 'content-type': 'text/plain' } };
    expect(verifySignature(tampered, readOAuthParameters(tampered), secrets)).toBe(false);
  });

  it('of an RSA signature checked against another key', () => {
    const rsaRequest = signed('RSA-SHA1', 'header', { privateKey: rsa.privateKey });
    expect(verifySignature(rsaRequest, readOAuthParameters(rsaRequest), { publicKey: otherRsa.publicKey })).toBe(false);
  });
});

describe('verifySignature errors', () => {
  it('reports an unreadable RSA public key as invalid_key', () => {
    const request = signed('RSA-SHA1', 'header', { privateKey: rsa.privateKey });
    expect(() =>
      verifySignature(request, readOAuthParameters(request), {
        publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid_key' }));
  });

  it('refuses an extra method the verifier was not given, though another verifier in the process was', () => {
    const request = signed('HMAC-SHA256', 'header', secrets);
    expect(() => readOAuthParameters(request)).toThrow(expect.objectContaining({ code: 'signature_method_rejected' }));
    const received = readOAuthParameters(request, { extraSignatureMethods });
    expect(() => verifySignature(request, received, secrets)).toThrow(expect.objectContaining({ code: 'signature_method_rejected' }));
  });

  it('reports an unregistered method as signature_method_rejected', () => {
    const request = signed('HMAC-SHA1', 'header', secrets);
    const received = { ...readOAuthParameters(request), signatureMethod: 'HMAC-MD5' };
    expect(() => verifySignature(request, received, secrets)).toThrow(expect.objectContaining({ code: 'signature_method_rejected' }));
  });
});
