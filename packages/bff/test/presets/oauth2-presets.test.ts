import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BffUser } from '@latchkey/common';
import type { ClientConfig } from '@latchkey/bff';
import { presets } from '../../src/presets/index.js';
import { startBff, type Browser, type TestBff } from '../harness.js';
import * as github from './fixtures/github.js';
import * as reddit from './fixtures/reddit.js';
import * as twitter from './fixtures/twitter.js';
import * as others from './fixtures/others.js';
import { loginAtStandIn, pointAt, startStandIn, type Answer, type RecordedRequest, type StandIn, type StandInOptions } from './stand-in.js';

/**
 * Each OAuth 2 preset logs in through the BFF routes against a stand-in that answers with the
 * provider's documented shapes and enforces what the provider enforces; the test reads the
 * normalized user from `/bff/session`.
 */

const CLIENT_ID = 'stand-in-client-id';
const CLIENT_SECRET = 'stand-in-client-secret';

interface Case {
  /** Registered name. */
  name: string;
  standIn: Omit<StandInOptions, 'clientId' | 'clientSecret'>;
  /** The preset's configuration for a stand-in at `url` (usually `pointAt(preset, url)`). */
  config(url: string): ClientConfig;
  user: BffUser;
  scopes: string[];
}

const json = (value: unknown, status = 200): Answer => ({ json: value, status });
const rfcRefusal = (reason: string): Answer => json({ error: reason }, reason === 'invalid_client' ? 401 : 400);
const credentials = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
/** HTTP Basic of the id and secret as they are: `stand-in-client-id` keeps its `-` (form-encoding sends `%2D`). */
const RAW_BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;

const githubStandIn = (emails: (request: RecordedRequest) => Answer): Case['standIn'] => ({
  authorizePath: '/login/oauth/authorize',
  tokenPath: '/login/oauth/access_token',
  clientAuth: 'client_secret_post',
  // GitHub answers JSON only when asked to, and refuses a spent code with HTTP 200.
  token: (request) =>
    (request.headers.accept ?? '').includes('application/json')
      ? json(github.jsonTokenResponse.body)
      : { body: github.formTokenResponse.body, contentType: github.formTokenResponse.contentType },
  refuse: (reason) => json(reason === 'invalid_grant' ? github.badVerificationCode : { error: 'incorrect_client_credentials' }),
  accessToken: github.jsonTokenResponse.body.access_token,
  api: { 'GET /user': () => json(github.user), 'GET /user/emails': emails },
  // https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent
  checkApiRequest: (request) =>
    request.headers['user-agent'] === undefined ? json({ message: 'Request forbidden by administrative rules.' }, 403) : undefined,
});

const githubUser: BffUser = {
  sub: '1',
  name: 'monalisa octocat',
  email: 'octocat@github.com',
  email_verified: true,
  preferred_username: 'octocat',
  picture: 'https://github.com/images/error/octocat_happy.gif',
  profile: 'https://github.com/octocat',
};

const facebookCase: Case = {
  name: 'facebook',
  standIn: {
    authorizePath: '/v22.0/dialog/oauth',
    tokenPath: '/v22.0/oauth/access_token',
    clientAuth: 'client_secret_post',
    token: () => json(others.facebookToken),
    refuse: rfcRefusal,
    accessToken: others.facebookToken.access_token,
    api: { 'GET /v22.0/me': () => json(others.facebookMe) },
  },
  config: (url) => pointAt(presets.facebook(credentials), url),
  user: {
    sub: '10158000000000000',
    name: 'Jamie Doe',
    email: 'jamie@facebook.example',
    picture: 'https://platform-lookaside.fbsbx.com/platform/profilepic/?asid=1',
  },
  // Facebook's answer has no scope: the requested ones, not one comma-joined string.
  scopes: ['email', 'public_profile'],
};

const REDDIT_UA = 'web:latchkey-test:1.0 (by /u/tester)';

const cases: Case[] = [
  {
    name: 'github',
    standIn: githubStandIn(() => json(github.emails)),
    config: (url) => pointAt(presets.github(credentials), url),
    user: githubUser,
    scopes: ['read:user', 'user:email'],
  },
  {
    name: 'github-no-email-scope',
    // Without user:email, /user/emails is refused and the public address (none here) is all there is.
    standIn: githubStandIn(() => json({ message: 'Resource not accessible by integration' }, 403)),
    config: (url) => pointAt(presets.github({ ...credentials, scopes: ['read:user'] }), url),
    user: {
      sub: '1',
      name: 'monalisa octocat',
      preferred_username: 'octocat',
      picture: githubUser.picture as string,
      profile: githubUser.profile as string,
    },
    scopes: ['read:user', 'user:email'],
  },
  {
    name: 'gitlab',
    standIn: {
      authorizePath: '/oauth/authorize',
      tokenPath: '/oauth/token',
      clientAuth: 'client_secret_basic',
      token: () => json(others.gitlabToken),
      refuse: rfcRefusal,
      accessToken: others.gitlabToken.access_token,
      api: { 'GET /api/v4/user': () => json(others.gitlabUser) },
    },
    // The self-managed option, pointed at the stand-in.
    config: (url) => presets.gitlab({ ...credentials, baseUrl: url }),
    user: {
      sub: '1',
      name: 'John Smith',
      email: 'john@example.com',
      email_verified: true,
      preferred_username: 'john_smith',
      picture: 'http://localhost:3000/uploads/user/avatar/1/index.jpg',
      profile: 'http://localhost:3000/john_smith',
    },
    scopes: ['read_user'],
  },
  {
    name: 'discord',
    standIn: {
      authorizePath: '/oauth2/authorize',
      tokenPath: '/api/oauth2/token',
      clientAuth: 'either',
      token: () => json(others.discordToken),
      refuse: rfcRefusal,
      accessToken: others.discordToken.access_token,
      api: { 'GET /api/v10/users/@me': () => json(others.discordUser) },
    },
    config: (url) => pointAt(presets.discord({ ...credentials, apiBaseUrl: `${url}/api/v10` }), url),
    user: {
      sub: '80351110224678912',
      name: 'Nelly',
      email: 'nelly@discord.example',
      email_verified: true,
      preferred_username: 'nelly',
      picture: 'https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png',
    },
    scopes: ['identify', 'email'],
  },
  facebookCase,
  {
    ...facebookCase,
    name: 'facebook-legacy',
    standIn: {
      ...facebookCase.standIn,
      // Older Graph versions: form-encoded under text/plain, expires_in as a string, no token_type.
      token: () => ({ body: others.facebookLegacyToken, contentType: 'text/plain; charset=UTF-8' }),
    },
  },
  {
    name: 'twitter',
    standIn: {
      authorizePath: '/i/oauth2/authorize',
      tokenPath: '/2/oauth2/token',
      clientAuth: 'client_secret_basic',
      basicDecoding: 'none',
      requirePkce: true,
      token: () => json(twitter.tokenResponse),
      refuse: rfcRefusal,
      accessToken: twitter.tokenResponse.access_token,
      api: { 'GET /2/users/me': () => json(twitter.usersMe) },
    },
    config: (url) => pointAt(presets.twitter(credentials), url),
    user: {
      sub: '2244994945',
      name: 'X Dev',
      preferred_username: 'TwitterDev',
      picture: 'https://pbs.twimg.com/profile_images/1445764922474827784/W2zEPN7U_normal.jpg',
      profile: 'https://x.com/TwitterDev',
    },
    scopes: ['tweet.read', 'users.read', 'offline.access'],
  },
  {
    name: 'reddit',
    standIn: {
      authorizePath: '/api/v1/authorize',
      tokenPath: '/api/v1/access_token',
      clientAuth: 'client_secret_basic',
      basicDecoding: 'none',
      token: () => json(reddit.tokenResponse),
      refuse: (reason) => (reason === 'invalid_client' ? json({ message: 'Unauthorized', error: 401 }, 401) : json(reddit.invalidGrant)),
      accessToken: reddit.tokenResponse.access_token,
      api: { 'GET /api/v1/me': () => json(reddit.me) },
      // https://github.com/reddit-archive/reddit/wiki/API#rules: generic and browser User-Agents are throttled.
      checkApiRequest: (request) => {
        const agent = request.headers['user-agent'];
        return agent === undefined || /^(mozilla|node|undici|python)/i.test(agent)
          ? json({ message: 'Too Many Requests', error: 429 }, 429)
          : undefined;
      },
    },
    config: (url) => pointAt(presets.reddit({ ...credentials, userAgent: REDDIT_UA }), url),
    user: {
      sub: '1w72',
      name: 'spez',
      preferred_username: 'spez',
      picture: 'https://styles.redditmedia.com/t5_abc/styles/profileIcon_x.png?width=256&height=256&s=9b1a',
      profile: 'https://www.reddit.com/user/spez',
    },
    scopes: ['identity'],
  },
  {
    name: 'dropbox',
    standIn: {
      authorizePath: '/oauth2/authorize',
      tokenPath: '/oauth2/token',
      clientAuth: 'either',
      token: () => json(others.dropboxToken),
      refuse: rfcRefusal,
      accessToken: others.dropboxToken.access_token,
      api: { 'POST /2/users/get_current_account': () => json(others.dropboxAccount) },
      // https://www.dropbox.com/developers/documentation/http/documentation#formats: an RPC call with no
      // arguments sends no body, or `null` as JSON.
      checkApiRequest: (request) =>
        request.headers['content-type'] !== undefined && !(request.headers['content-type'] ?? '').startsWith('application/json')
          ? { status: 400, body: 'Error in call to API function: Bad HTTP "Content-Type" header', contentType: 'text/plain' }
          : undefined,
    },
    config: (url) => pointAt(presets.dropbox(credentials), url),
    user: {
      sub: 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc',
      name: 'Franz Ferdinand (Personal)',
      email: 'franz@dropbox.com',
      email_verified: true,
      picture: others.dropboxAccount.profile_photo_url,
    },
    scopes: ['account_info.read'],
  },
  {
    name: 'spotify',
    standIn: {
      authorizePath: '/authorize',
      tokenPath: '/api/token',
      clientAuth: 'either',
      token: () => json(others.spotifyToken),
      refuse: rfcRefusal,
      accessToken: others.spotifyToken.access_token,
      api: { 'GET /v1/me': () => json(others.spotifyMe) },
    },
    config: (url) => pointAt(presets.spotify(credentials), url),
    user: {
      sub: 'wizzler',
      name: 'JM Wizzler',
      email: 'email@example.com',
      email_verified: false,
      preferred_username: 'wizzler',
      picture: 'https://i.scdn.co/image/large.jpg',
      profile: 'https://open.spotify.com/user/wizzler',
    },
    scopes: ['user-read-private', 'user-read-email'],
  },
  {
    name: 'bitbucket',
    standIn: {
      authorizePath: '/site/oauth2/authorize',
      tokenPath: '/site/oauth2/access_token',
      clientAuth: 'either',
      token: () => json(others.bitbucketToken),
      refuse: rfcRefusal,
      accessToken: others.bitbucketToken.access_token,
      api: { 'GET /2.0/user': () => json(others.bitbucketUser), 'GET /2.0/user/emails': () => json(others.bitbucketEmails) },
    },
    config: (url) => pointAt(presets.bitbucket(credentials), url),
    user: {
      sub: '{d301aafa-d676-4ee0-88be-962be7417567}',
      name: 'Erik van Zijst',
      email: 'erik@bitbucket.example',
      email_verified: true,
      preferred_username: 'evzijst',
      picture: 'https://secure.gravatar.com/avatar/1234?d=identicon',
      profile: 'https://bitbucket.org/%7Bd301aafa-d676-4ee0-88be-962be7417567%7D/',
    },
    scopes: ['account', 'email'],
  },
  {
    name: 'microsoft',
    standIn: {
      authorizePath: '/common/oauth2/v2.0/authorize',
      tokenPath: '/common/oauth2/v2.0/token',
      clientAuth: 'client_secret_post',
      token: () => json(others.microsoftToken),
      refuse: rfcRefusal,
      accessToken: others.microsoftToken.access_token,
      api: { 'GET /v1.0/me': () => json(others.graphMe) },
    },
    // The multi-tenant mode (tenant `common`), with the authority and Graph options at the stand-in.
    config: (url) => presets.microsoft({ ...credentials, authority: url, graphBaseUrl: `${url}/v1.0` }),
    user: {
      sub: '87d349ed-44d7-43e1-9a83-5f2406dee5bd',
      name: 'Adele Vance',
      email: 'AdeleV@contoso.com',
      preferred_username: 'AdeleV@contoso.com',
    },
    scopes: ['User.Read', 'offline_access'],
  },
];

describe('OAuth 2 presets against stand-ins of their providers', () => {
  const standIns = new Map<string, StandIn>();
  let bff: TestBff;

  beforeAll(async () => {
    for (const entry of cases) {
      standIns.set(entry.name, await startStandIn({ ...entry.standIn, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }));
    }
    bff = await startBff({
      register(registry) {
        for (const entry of cases) registry.register(entry.name, entry.config((standIns.get(entry.name) as StandIn).url));
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await Promise.all([...standIns.values()].map((standIn) => standIn.close()));
  });

  for (const entry of cases) {
    it(`${entry.name}: logs in and maps the account to the standard claims`, async () => {
      const browser = bff.browser();
      const { location } = await loginAtStandIn(browser, entry.name);
      expect(location).toBe('/');
      const session = await browser.session();
      expect(session.user).toEqual(entry.user);
      expect(session.connections).toEqual([expect.objectContaining({ provider: entry.name, protocol: 'oauth2' })]);
      expect(session.connections[0]?.scopes).toEqual(entry.scopes);
    });
  }

  it('GET /bff/providers lists every preset with its display name, for the SPA’s login buttons', async () => {
    const response = await bff.browser().fetch('/bff/providers');
    const { providers } = (await response.json()) as { providers: { name: string; displayName: string; protocol: string }[] };
    expect(providers.map((entry) => entry.name)).toEqual(cases.map((entry) => entry.name));
    expect(providers.find((entry) => entry.name === 'github')).toEqual({ name: 'github', displayName: 'GitHub', protocol: 'oauth2' });
    expect(providers.find((entry) => entry.name === 'twitter')?.displayName).toBe('X');
  });

  it('github: asks for space-delimited scopes (as documented) and reads the comma-delimited scope GitHub grants', async () => {
    const browser = bff.browser();
    const { authorizeUrl } = await loginAtStandIn(browser, 'github');
    expect(authorizeUrl.searchParams.get('scope')).toBe('read:user user:email');
    expect(github.jsonTokenResponse.body.scope).toBe('read:user,user:email');
    expect((await browser.session()).connections[0]?.scopes).toEqual(['read:user', 'user:email']);
  });

  it('github: answers in JSON only because JSON was asked for, and API calls carry a User-Agent', async () => {
    const standIn = standIns.get('github') as StandIn;
    const browser = bff.browser();
    await loginAtStandIn(browser, 'github');
    const exchange = standIn.tokenRequests('authorization_code').at(-1) as RecordedRequest;
    expect(exchange.headers.accept).toContain('application/json');
    // A proxied call with the browser's own User-Agent reaches GitHub with the app's.
    const proxied = await browser.fetch('/bff/api/github/user', { csrf: true, headers: { 'user-agent': 'Mozilla/5.0 (X11)' } });
    expect(proxied.status).toBe(200);
    expect(standIn.requests.at(-1)?.headers['user-agent']).toBe('latchkey-bff');
  });

  it('github: a code GitHub refuses with HTTP 200 fails the login, and no session is created', async () => {
    const standIn = standIns.get('github') as StandIn;
    standIn.spoilCodes(true);
    try {
      const browser = bff.browser();
      const { location } = await loginAtStandIn(browser, 'github');
      expect(location).toBe('/?latchkey_error=login_failed&latchkey_provider=github');
      expect((await browser.session()).authenticated).toBe(false);
      // Read as GitHub's refusal (an RFC 6749 error body), not as a malformed token answer.
      const failure = bff.logs.filter((line) => line.message === 'login failed').at(-1);
      expect(failure?.fields).toMatchObject({ provider: 'github', cause: 'ResponseBodyError' });
    } finally {
      standIn.spoilCodes(false);
    }
  });

  it('twitter: sends PKCE S256 and authenticates with Basic of the raw id:secret only', async () => {
    const standIn = standIns.get('twitter') as StandIn;
    const { authorizeUrl } = await loginAtStandIn(bff.browser(), 'twitter');
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('scope')).toBe('tweet.read users.read offline.access');
    const exchange = standIn.tokenRequests('authorization_code').at(-1) as RecordedRequest;
    expect(exchange.headers.authorization).toBe(RAW_BASIC);
    expect(exchange.form.get('client_secret')).toBeNull();
    expect(exchange.form.get('code_verifier')).not.toBeNull();
  });

  it('reddit: raw Basic at the token endpoint, duration=permanent, and the configured User-Agent on API calls', async () => {
    const standIn = standIns.get('reddit') as StandIn;
    const browser = bff.browser();
    const { authorizeUrl } = await loginAtStandIn(browser, 'reddit');
    expect(authorizeUrl.searchParams.get('duration')).toBe('permanent');
    expect(standIn.tokenRequests('authorization_code').at(-1)?.headers.authorization).toBe(RAW_BASIC);
    expect(standIn.requests.find((request) => request.path === '/api/v1/me')?.headers['user-agent']).toBe(REDDIT_UA);
    const proxied = await browser.fetch('/bff/api/reddit/api/v1/me', { csrf: true, headers: { 'user-agent': 'Mozilla/5.0' } });
    expect(proxied.status).toBe(200);
  });

  it('facebook: asks for comma-separated permissions', async () => {
    const { authorizeUrl } = await loginAtStandIn(bff.browser(), 'facebook');
    expect(authorizeUrl.searchParams.get('scope')).toBe('email,public_profile');
  });

  it('dropbox: asks for offline access and reads the account with a body-less POST', async () => {
    const standIn = standIns.get('dropbox') as StandIn;
    const { authorizeUrl } = await loginAtStandIn(bff.browser(), 'dropbox');
    expect(authorizeUrl.searchParams.get('token_access_type')).toBe('offline');
    const call = standIn.requests.find((request) => request.path === '/2/users/get_current_account');
    expect(call?.method).toBe('POST');
  });

  it('bitbucket: requests no scope (they are set on the consumer)', async () => {
    const { authorizeUrl } = await loginAtStandIn(bff.browser(), 'bitbucket');
    expect(authorizeUrl.searchParams.has('scope')).toBe(false);
  });
});

describe('a stand-in that enforces Basic client authentication', () => {
  let standIn: StandIn;
  let bff: TestBff;

  beforeAll(async () => {
    standIn = await startStandIn({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      authorizePath: '/api/v1/authorize',
      tokenPath: '/api/v1/access_token',
      clientAuth: 'client_secret_basic',
      basicDecoding: 'none',
      token: () => json(reddit.tokenResponse),
      refuse: (reason) =>
        json(
          reason === 'invalid_client' ? { message: 'Unauthorized', error: 401 } : reddit.invalidGrant,
          reason === 'invalid_client' ? 401 : 200,
        ),
      accessToken: reddit.tokenResponse.access_token,
      api: { 'GET /api/v1/me': () => json(reddit.me) },
    });
    bff = await startBff({
      register(registry) {
        const preset = pointAt(presets.reddit(credentials), standIn.url);
        registry.register('reddit', preset);
        // The same provider configured by hand with credentials in the body, as Reddit refuses.
        registry.register('reddit-post', {
          ...preset,
          clientKwargs: { ...preset.clientKwargs, tokenEndpointAuthMethod: 'client_secret_post', basicAuthEncoding: 'form' },
        });
        // And with RFC 6749's form-encoded Basic, which turns the id's `-` into `%2D` that Reddit does not decode.
        registry.register('reddit-form', { ...preset, clientKwargs: { ...preset.clientKwargs, basicAuthEncoding: 'form' } });
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await standIn?.close();
  });

  const loginLocation = async (name: string) => (await loginAtStandIn(bff.browser(), name)).location;

  it('logs in with the preset and fails with credentials in the body', async () => {
    expect(await loginLocation('reddit')).toBe('/');
    expect(await loginLocation('reddit-post')).toBe('/?latchkey_error=login_failed&latchkey_provider=reddit-post');
  });

  it('fails with form-encoded Basic, which Reddit does not decode (why the preset sends the raw id:secret)', async () => {
    expect(await loginLocation('reddit-form')).toBe('/?latchkey_error=login_failed&latchkey_provider=reddit-form');
    const sent = standIn.tokenRequests('authorization_code').at(-1)?.headers.authorization as string;
    expect(Buffer.from(sent.slice('Basic '.length), 'base64').toString('utf8')).toBe(
      'stand%2Din%2Dclient%2Did:stand%2Din%2Dclient%2Dsecret',
    );
  });

  it('the preset refuses a client authentication Reddit does not take, at start-up', () => {
    expect(() => presets.reddit({ clientKwargs: { tokenEndpointAuthMethod: 'client_secret_post' } })).toThrow(
      expect.objectContaining({ code: 'configuration_error', option: 'clientKwargs.tokenEndpointAuthMethod' }),
    );
  });
});

describe('refreshing through a preset (refreshTokenResponse)', () => {
  let standIn: StandIn;
  let bff: TestBff;
  let clockSkewMs = 0;

  beforeAll(async () => {
    standIn = await startStandIn({
      ...githubStandIn(() => json(github.emails)),
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      // A GitHub App: expiring user tokens; the answer is form-encoded unless JSON is asked for.
      token: (request) =>
        (request.headers.accept ?? '').includes('application/json')
          ? json(github.expiringTokenResponse)
          : {
              body: new URLSearchParams(Object.entries(github.expiringTokenResponse).map(([k, v]) => [k, String(v)])).toString(),
              contentType: 'application/x-www-form-urlencoded',
            },
      refuse: (reason) => json(reason === 'invalid_grant' ? github.badRefreshToken : { error: 'incorrect_client_credentials' }),
      accessToken: github.expiringTokenResponse.access_token,
    });
    bff = await startBff({
      registry: { now: () => Date.now() + clockSkewMs },
      register(registry) {
        registry.register('github', pointAt(presets.github(credentials), standIn.url));
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await standIn?.close();
  });

  async function loggedIn(): Promise<Browser> {
    const browser = bff.browser();
    await loginAtStandIn(browser, 'github');
    expect((await browser.session()).authenticated).toBe(true);
    return browser;
  }

  it('refreshes an expired GitHub App token through the preset’s fixes', async () => {
    const browser = await loggedIn();
    const expiresAt = (await browser.session()).connections[0]?.expiresAt as number;
    clockSkewMs += 9 * 3600 * 1000;
    const before = standIn.tokenRequests('refresh_token').length;
    const proxied = await browser.fetch('/bff/api/github/user', { csrf: true });
    expect(proxied.status).toBe(200);
    expect(standIn.tokenRequests('refresh_token')).toHaveLength(before + 1);
    expect((await browser.session()).connections[0]?.expiresAt).toBeGreaterThan(expiresAt);
  });

  it('a refresh GitHub refuses with HTTP 200 ends in refresh_failed, read as GitHub’s error', async () => {
    const browser = await loggedIn();
    standIn.forgetRefreshTokens();
    clockSkewMs += 9 * 3600 * 1000;
    const proxied = await browser.fetch('/bff/api/github/user', { csrf: true });
    expect(proxied.status).toBe(401);
    expect(((await proxied.json()) as { error: { code: string } }).error.code).toBe('refresh_failed');
    const refused = bff.logs.filter((line) => line.message === 'request refused').at(-1);
    expect(refused?.fields).toMatchObject({ code: 'refresh_failed', cause: 'ResponseBodyError' });
  });
});
