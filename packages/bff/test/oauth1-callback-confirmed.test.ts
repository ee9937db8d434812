import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../../test-support/listen.js';
import { startBff, type TestBff } from './harness.js';

/**
 * RFC 5849 section 2.1: the temporary-credential answer carries `oauth_callback_confirmed=true`. Authlib's
 * server writes it from a Python bool, `True`; any letter case of `true` is a confirmation, anything
 * else (missing, empty, `false`, `1`, `yes`) is not. A stand-in temporary-credential endpoint answers
 * each value; whether the BFF goes on to the authorization step is what is checked.
 */
const ANSWERS: Record<string, string | undefined> = {
  lower: 'true',
  authlib: 'True',
  upper: 'TRUE',
  mixed: 'tRuE',
  missing: undefined,
  empty: '',
  false: 'false',
  pythonfalse: 'False',
  one: '1',
  yes: 'yes',
  padded: ' true',
};
const ACCEPTED = ['lower', 'authlib', 'upper', 'mixed'];

describe('oauth_callback_confirmed of the temporary-credential answer', () => {
  let initiate: Listening;
  let bff: TestBff;

  beforeAll(async () => {
    initiate = await listen((req, res) => {
      const name = new URL(req.url ?? '/', 'http://stand-in.invalid').pathname.slice(1);
      req.resume();
      req.on('end', () => {
        const answer = new URLSearchParams({ oauth_token: `request-token-${name}`, oauth_token_secret: 'request-secret' });
        const confirmed = ANSWERS[name];
        if (confirmed !== undefined) answer.set('oauth_callback_confirmed', confirmed);
        res.setHeader('content-type', 'application/x-www-form-urlencoded');
        res.end(answer.toString());
      });
    });
    bff = await startBff({
      register(registry) {
        for (const name of Object.keys(ANSWERS)) {
          registry.register(name, {
            clientId: 'consumer',
            clientSecret: 'consumer-secret',
            requestTokenUrl: `${initiate.url}/${name}`,
            authorizeUrl: `${initiate.url}/authorize`,
            accessTokenUrl: `${initiate.url}/token`,
          });
        }
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await initiate?.close();
  });

  for (const [name, value] of Object.entries(ANSWERS)) {
    const accepted = ACCEPTED.includes(name);
    it(`${accepted ? 'accepts' : 'refuses'} ${value === undefined ? 'a missing value' : JSON.stringify(value)}`, async () => {
      const response = await bff.browser().fetch(`/bff/login/${name}`);
      expect(response.status).toBe(302);
      const location = response.headers.get('location') as string;
      if (accepted) {
        expect(location).toBe(`${initiate.url}/authorize?oauth_token=request-token-${name}`);
        return;
      }
      expect(location).toBe(`/?latchkey_error=login_failed&latchkey_provider=${name}`);
      const failure = bff.logs.filter((line) => line.message === 'login failed' && line.fields?.provider === name);
      expect(failure).toHaveLength(1);
      expect(failure[0]?.fields).toMatchObject({ code: 'login_failed', reason: 'callback_not_confirmed', upstreamStatus: 200 });
    });
  }
});
