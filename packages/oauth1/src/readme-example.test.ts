import { describe, expect, it } from 'vitest';
import { OAuth1Error, readOAuthParameters, signRequest, verifySignature, type OAuth1Request } from './index.js';

// Guards the README: its client and server examples, run as written (minus the network call).
describe('README example', () => {
  it('signs on the client and verifies on the server', () => {
    const signed = signRequest({
      method: 'POST',
      url: 'https://photos.example.net/photos?album=holidays',
      form: { title: 'Beach' },
      consumerKey: 'dpf43f3p2l4k3l03',
      token: 'nnch734d00sl2jdk',
      keys: { consumerSecret: 'kd94hf93k423kf44', tokenSecret: 'pfkkdhi9sl3r4s00' },
    });
    expect(signed.body).toBe('title=Beach');

    const request: OAuth1Request = {
      method: 'POST',
      url: 'https://photos.example.net/photos?album=holidays',
      headers: { authorization: signed.headers.authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'title=Beach',
    };
    const received = readOAuthParameters(request);
    const ok = verifySignature(request, received, {
      consumerSecret: 'kd94hf93k423kf44',
      tokenSecret: 'pfkkdhi9sl3r4s00',
    });
    expect(ok).toBe(true);
    expect(new OAuth1Error('signature_invalid', 'The signature does not match.').code).toBe('signature_invalid');
  });
});
