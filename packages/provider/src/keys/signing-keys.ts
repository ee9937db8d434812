import { createPrivateKey, createPublicKey, generateKeyPair, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { ConfigurationError } from '@latchkey/common';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import type { SigningKeyInput } from '../options.js';

/** One RS256 key: the private half signs ID tokens, the public half is published at `/jwks`. */
interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

export interface SigningKeys {
  /** The key that signs. */
  current: SigningKey;
  all: SigningKey[];
  /** The JWK Set document (RFC 7517 section 5). */
  jwks: { keys: JWK[] };
}

function toPrivateKey(input: SigningKeyInput, index: number): { key: KeyObject; kid?: string } {
  try {
    if (isKeyObject(input)) {
      if (input.type !== 'private') throw new Error('not a private key');
      return { key: input };
    }
    const key = createPrivateKey({ key: input as JsonWebKey, format: 'jwk' });
    return input.kid === undefined ? { key } : { key, kid: input.kid };
  } catch (cause) {
    throw new ConfigurationError(`keys[${index}]`, 'Each signing key must be a private RSA JWK or KeyObject.', { cause });
  }
}

function isKeyObject(input: SigningKeyInput): input is KeyObject {
  return typeof (input as KeyObject).export === 'function' && typeof (input as KeyObject).type === 'string';
}

async function toSigningKey(input: SigningKeyInput, index: number): Promise<SigningKey> {
  const { key, kid } = toPrivateKey(input, index);
  if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new ConfigurationError(`keys[${index}]`, 'RS256 needs an RSA key of at least 2048 bits.');
  }
  const publicJwk = await exportJWK(createPublicKey(key));
  const keyId = kid ?? (await calculateJwkThumbprint(publicJwk));
  return { kid: keyId, privateKey: key, publicJwk: { ...publicJwk, kid: keyId, alg: 'RS256', use: 'sig' } };
}

/** Imports the configured keys, or generates one RS256 key when none is given. */
export async function loadSigningKeys(input: SigningKeyInput | SigningKeyInput[] | undefined): Promise<SigningKeys> {
  let inputs = input === undefined ? [] : Array.isArray(input) ? input : [input];
  if (inputs.length === 0) {
    const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
    inputs = [privateKey];
  }
  const all = await Promise.all(inputs.map(toSigningKey));
  const current = all[0] as SigningKey;
  return { current, all, jwks: { keys: all.map((key) => key.publicJwk) } };
}
