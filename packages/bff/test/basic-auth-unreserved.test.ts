import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig } from '@latchkey/bff';
import { encodeBasicCredential } from '../src/oauth2/client-auth.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type TestBff } from './harness.js';
import { loginAtStandIn, startStandIn, type Answer, type StandIn } from './presets/stand-in.js';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
const json = (value: unknown, status = 200): Answer => ({ json: value, status });

describe('encodeBasicCredential', () => {
  it('keeps RFC 3986 unreserved characters and percent-encodes everything else in UTF-8, colon included', () => {
    expect(encodeBasicCredential('AZaz09-._~')).toBe('AZaz09-._~');
    expect(encodeBasicCredential("a:b c+d%e!f*g'h(i)j/k@l=m&n")).toBe('a%3Ab%20c%2Bd%25e%21f%2Ag%27h%28i%29j%2Fk%40l%3Dm%26n');
    expect(encodeBasicCredential('é€😀')).toBe('%C3%A9%E2%82%AC%F0%9F%98%80');
  });
});

/**
 * RFC 6749 section 2.3.1 form-encodes Basic credentials; Authlib 1.2 (and Reddit, X) compare the decoded
 * header without URL-decoding it. By default the BFF encodes only what is not unreserved, so an id with
 * `- . _ ~` (Google's ids hold `-` and `.`) reaches both kinds of server as the same bytes, and any other
 * character is still percent-encoded for servers that decode.
 */
describe('client_secret_basic with default settings', () => {
  const UNRESERVED_ID = 'o2-basic_client.v1~x';
  const UNRESERVED_SECRET = 'S3-cr_et.~Zz09';
  const ODD_ID = 'odd:id é+1';
  const ODD_SECRET = "p@ss w:rd!*(x)'%/=&";
  const standInOptions = {
    authorizePath: '/authorize',
    tokenPath: '/token',
    clientAuth: 'client_secret_basic',
    token: () => json({ access_token: 'stand-in-access-token', token_type: 'Bearer', expires_in: 3600 }),
    refuse: () => json({ error: 'invalid_client' }, 401),
    accessToken: 'stand-in-access-token',
    api: {},
  } as const;
  let comparing: StandIn;
  let decoding: StandIn;
  let provider: TestProvider;
  let bff: TestBff;

  beforeAll(async () => {
    comparing = await startStandIn({ ...standInOptions, basicDecoding: 'none', clientId: UNRESERVED_ID, clientSecret: UNRESERVED_SECRET });
    decoding = await startStandIn({ ...standInOptions, basicDecoding: 'form', clientId: ODD_ID, clientSecret: ODD_SECRET });
    provider = await startTestProvider();
    const at = (standIn: StandIn): Pick<ClientConfig, 'authorizeUrl' | 'accessTokenUrl'> => ({
      authorizeUrl: `${standIn.url}/authorize`,
      accessTokenUrl: `${standIn.url}/token`,
    });
    bff = await startBff({
      async register(registry, bffUrl) {
        registry.register('comparing', { clientId: UNRESERVED_ID, clientSecret: UNRESERVED_SECRET, ...at(comparing) });
        registry.register('comparing-form', {
          clientId: UNRESERVED_ID,
          clientSecret: UNRESERVED_SECRET,
          ...at(comparing),
          clientKwargs: { basicAuthEncoding: 'form' },
        });
        registry.register('decoding', { clientId: ODD_ID, clientSecret: ODD_SECRET, ...at(decoding) });
        await provider.provider.registerClient({
          clientId: ODD_ID,
          clientSecret: ODD_SECRET,
          redirectUris: [`${bffUrl}/bff/callback/latchkey`],
          tokenEndpointAuthMethod: 'client_secret_basic',
        });
        registry.register('latchkey', {
          clientId: ODD_ID,
          clientSecret: ODD_SECRET,
          serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
          clientKwargs: { scope: 'openid profile' },
        });
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await comparing?.close();
    await decoding?.close();
    await provider?.close();
  });

  it('sends an id and secret of unreserved characters as they are, which a non-decoding server accepts', async () => {
    expect(bff.registry.runtime('comparing').config.clientKwargs).toMatchObject({ basicAuthEncoding: 'unreserved' });
    const { location } = await loginAtStandIn(bff.browser(), 'comparing');
    expect(location).toBe('/');
    expect(comparing.tokenRequests('authorization_code').at(-1)?.headers.authorization).toBe(
      basic(`${UNRESERVED_ID}:${UNRESERVED_SECRET}`),
    );
  });

  it("keeps 'form' as an option: every character but letters and digits encoded, which that server refuses", async () => {
    const { location } = await loginAtStandIn(bff.browser(), 'comparing-form');
    expect(location).toBe('/?latchkey_error=login_failed&latchkey_provider=comparing-form');
    expect(comparing.tokenRequests('authorization_code').at(-1)?.headers.authorization).toBe(
      basic('o2%2Dbasic%5Fclient%2Ev1%7Ex:S3%2Dcr%5Fet%2E%7EZz09'),
    );
    const failure = bff.logs.filter((line) => line.message === 'login failed' && line.fields?.provider === 'comparing-form');
    expect(failure.at(-1)?.fields).toMatchObject({ code: 'login_failed', upstreamStatus: 401, providerError: 'invalid_client' });
  });

  it('percent-encodes every other character, colon included, for a server that form-decodes', async () => {
    const { location } = await loginAtStandIn(bff.browser(), 'decoding');
    expect(location).toBe('/');
    expect(decoding.tokenRequests('authorization_code').at(-1)?.headers.authorization).toBe(
      basic('odd%3Aid%20%C3%A9%2B1:p%40ss%20w%3Ard%21%2A%28x%29%27%25%2F%3D%26'),
    );
  });

  it('logs in at the real provider, which decodes as RFC 6749 section 2.3.1 says, with the same credentials', async () => {
    const browser = bff.browser();
    const { location } = await browser.login('latchkey');
    expect(location).toBe('/');
    expect((await browser.session()).authenticated).toBe(true);
  });
});
