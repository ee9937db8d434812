/**
 * RFC 5849 section 3.4.3: RSA-SHA1 is RSASSA-PKCS1-v1_5 (RFC 3447 section 8.2) with SHA-1 over the
 * base string, base64 encoded. The client signs with its private key; the server verifies with the
 * public key (or certificate) it registered for the client.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { OAuth1Error } from '../errors.js';
import type { SignatureMethod, SigningKeys } from './signature-method.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function requireRsa(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') throw new OAuth1Error('invalid_key', 'RSA-SHA1 needs an RSA key.');
  return key;
}

function privateKeyOf(keys: SigningKeys): KeyObject {
  const { privateKey } = keys;
  if (privateKey === undefined) throw new OAuth1Error('invalid_key', 'RSA-SHA1 signing needs a private key.');
  if (typeof privateKey !== 'string') {
    if (privateKey.type !== 'private') throw new OAuth1Error('invalid_key', 'RSA-SHA1 signing needs a private key.');
    return requireRsa(privateKey);
  }
  try {
    return requireRsa(createPrivateKey(privateKey));
  } catch (cause) {
    if (cause instanceof OAuth1Error) throw cause;
    throw new OAuth1Error('invalid_key', 'The RSA private key could not be read.', { cause });
  }
}

function publicKeyOf(keys: SigningKeys): KeyObject {
  const source = keys.publicKey ?? keys.privateKey;
  if (source === undefined) throw new OAuth1Error('invalid_key', 'RSA-SHA1 verification needs a public key.');
  if (typeof source !== 'string' && source.type === 'public') return requireRsa(source);
  try {
    // createPublicKey also accepts a private key or a certificate and derives the public half.
    return requireRsa(createPublicKey(source));
  } catch (cause) {
    if (cause instanceof OAuth1Error) throw cause;
    throw new OAuth1Error('invalid_key', 'The RSA public key could not be read.', { cause });
  }
}

export const rsaSha1: SignatureMethod = Object.freeze({
  sign: (baseString: string, keys: SigningKeys): string =>
    sign('sha1', Buffer.from(baseString, 'utf8'), privateKeyOf(keys)).toString('base64'),
  verify: (baseString: string, signature: string, keys: SigningKeys): boolean => {
    const key = publicKeyOf(keys);
    if (signature === '' || !BASE64.test(signature)) return false;
    try {
      return verify('sha1', Buffer.from(baseString, 'utf8'), key, Buffer.from(signature, 'base64'));
    } catch {
      // A signature of the wrong length for the key is simply not a valid signature.
      return false;
    }
  },
});
