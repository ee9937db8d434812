// OAuth 1.0a signing and verifying with @latchkey/oauth1 (RFC 5849 section 3.4), operations per
// second on one core: the full client step (signRequest: nonce, timestamp, base string, signature,
// Authorization header) and the full server step (readOAuthParameters + verifySignature).
import { generateKeyPairSync } from 'node:crypto';
import { readOAuthParameters, signRequest, verifySignature } from '@latchkey/oauth1';
import { formatRate, opsPerSecond } from '../lib/stats.mjs';

// A typical API call: a POST with a form body and a query parameter (the shape of RFC 5849 3.4.1.1).
const REQUEST = {
  method: 'POST',
  url: 'https://api.example.com/1.1/statuses/update.json?include_entities=true',
  form: { status: 'Hello Ladies + Gentlemen, a signed OAuth request!' },
  consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
  token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
};
const HMAC_KEYS = {
  consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
  tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
};

/** The request as the server sees it: lower-case header names, the raw body text. */
const received = (signed) => ({ method: signed.method, url: signed.url, headers: signed.headers, body: signed.body });

export async function run({ quick, log }) {
  const seconds = quick ? 0.6 : 3;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = {
    privateKey: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };

  const sign = (signatureMethod, keys) => () => signRequest({ ...REQUEST, signatureMethod, keys });
  const verify = (signatureMethod, signKeys, verifyKeys) => {
    const request = received(signRequest({ ...REQUEST, signatureMethod, keys: signKeys }));
    return () => {
      if (!verifySignature(request, readOAuthParameters(request), verifyKeys)) throw new Error('the signature did not verify');
    };
  };

  const cases = [
    ['HMAC-SHA1', 'sign', 'secrets', sign('HMAC-SHA1', HMAC_KEYS)],
    ['HMAC-SHA1', 'verify', 'secrets', verify('HMAC-SHA1', HMAC_KEYS, HMAC_KEYS)],
    ['RSA-SHA1 (2048-bit)', 'sign', 'KeyObject', sign('RSA-SHA1', { privateKey: rsa.privateKey })],
    ['RSA-SHA1 (2048-bit)', 'sign', 'PEM string', sign('RSA-SHA1', { privateKey: pem.privateKey })],
    ['RSA-SHA1 (2048-bit)', 'verify', 'KeyObject', verify('RSA-SHA1', { privateKey: rsa.privateKey }, { publicKey: rsa.publicKey })],
    ['RSA-SHA1 (2048-bit)', 'verify', 'PEM string', verify('RSA-SHA1', { privateKey: rsa.privateKey }, { publicKey: pem.publicKey })],
  ];
  const rows = [];
  for (const [method, step, keyForm, op] of cases) {
    log(`${method} ${step} (${keyForm})`);
    const rate = opsPerSecond(op, { seconds });
    rows.push([method, step, keyForm, formatRate(rate), `${(1e6 / rate).toFixed(1)} µs`]);
  }
  return {
    title: 'OAuth 1.0a signing (@latchkey/oauth1)',
    tables: [{ columns: ['signature method', 'step', 'keys given as', 'ops/s', 'per op'], rows }],
    goals: [],
    method: [
      'sign = signRequest() for a POST with a query parameter and a form body (fresh nonce and timestamp, base string, signature, Authorization header); verify = readOAuthParameters() + verifySignature() on that request as the server receives it.',
      `One core, synchronous loop: a 0.3 s warm-up, then the median of three timed slices (${seconds} s in all) per row.`,
      'RSA keys are measured both as KeyObjects and as PEM strings, which are parsed again on every call.',
    ],
  };
}
