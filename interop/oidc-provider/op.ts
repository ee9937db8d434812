import { generateKeyPair, randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import Provider, { type ClientMetadata, type Configuration, type ProviderContext } from 'oidc-provider';
import { ALICE } from '../../test-support/provider.js';
import { listen } from '../../test-support/listen.js';
import { handleInteraction, page } from './interactions.js';

/** What the OP recorded, from its own events (docs/events.md). */
interface OpRecord {
  /** Parameters of every accepted authorization request. */
  authorizations: Readonly<Record<string, unknown>>[];
  /** Every successful token request: its grant type, client and how the client authenticated. */
  grants: { grantType: string; clientId: string; authorization: string | undefined }[];
  /** Values of every refresh token and access token issued, in order (opaque tokens: the value is the jti). */
  refreshTokens: string[];
  accessTokens: string[];
  consumedRefreshTokens: string[];
  endSessions: number;
  /** Refused token requests: the OAuth error and its description. */
  grantErrors: string[];
  serverErrors: Error[];
}

export interface StartedOp {
  /** The issuer: `http://127.0.0.1:<port>`, the URL it listens on. */
  issuer: string;
  provider: Provider;
  record: OpRecord;
  /** Successful token requests of one grant type (and one client). */
  countGrants(grantType: string, clientId?: string): number;
  /** RFC 7662 introspection of a token, authenticated as the test's resource-server client. */
  introspect(token: string): Promise<{ active: boolean; client_id?: string; token_type?: string }>;
  /**
   * Forgets one access token at the OP, its grant and refresh token untouched: from then on the OP
   * answers it with 401 invalid_token. (Revoking it at the revocation endpoint would not do: oidc-provider
   * then revokes every token of its grant, which RFC 7009 section 2.1 allows.)
   */
  dropAccessToken(value: string): Promise<void>;
  /**
   * Holds every token request at the door until `release()`: a refresh in flight stays in flight, so a
   * test can see who else waits for it. `held()` counts the requests waiting.
   */
  holdTokenRequests(): { held(): number; release(): void };
  close(): Promise<void>;
}

export interface StartOpOptions {
  /** Client metadata, registered statically (docs: `clients`). */
  clients: ClientMetadata[];
  /** Access token lifetime in seconds per client id; 3600 for the others. */
  accessTokenTtl?: Readonly<Record<string, number>>;
  /** Features turned on beside the harness's own (revocation, introspection, RP-Initiated Logout). */
  features?: Pick<NonNullable<Configuration['features']>, 'dPoP' | 'pushedAuthorizationRequests' | 'backchannelLogout'>;
  /** The OP's outgoing requests (logout tokens, for one); default oidc-provider's own. */
  fetch?: Configuration['fetch'];
}

const INTROSPECTOR = { client_id: 'latchkey-interop-rs', client_secret: randomBytes(24).toString('base64url') };

// RSA key generation takes a moment: one signing key per test process.
let signingKey: Promise<import('oidc-provider').JsonWebKey> | undefined;
function jwk() {
  signingKey ??= promisify(generateKeyPair)('rsa', { modulusLength: 2048 }).then(({ privateKey }) => ({
    ...privateKey.export({ format: 'jwk' }),
    kid: 'interop-1',
    use: 'sig',
    alg: 'RS256',
  }));
  return signingKey;
}

const html = (ctx: ProviderContext, body: string) => {
  ctx.type = 'html';
  ctx.body = body;
};

/**
 * panva's oidc-provider on 127.0.0.1 on an ephemeral port, configured only through its documented
 * options (docs/README.md): static clients, Alice as the only account, our own login and consent pages
 * (devInteractions off), PKCE required of every client, refresh tokens for public web clients too
 * (the `issueRefreshToken` example of the docs) and rotated at every use, revocation, introspection and
 * RP-Initiated Logout.
 */
export async function startOidcProvider(options: StartOpOptions): Promise<StartedOp> {
  let handler: RequestListener | undefined;
  let gate: { promise: Promise<void>; release(): void; held: number } | undefined;
  const server = await listen((req, res) => {
    void route(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  async function route(req: IncomingMessage, res: ServerResponse) {
    if (req.method === 'POST' && req.url === '/token' && gate) {
      const current = gate;
      current.held += 1;
      await current.promise;
      current.held -= 1;
    }
    if (!handler) {
      res.statusCode = 503;
      return void res.end();
    }
    if (await handleInteraction(provider, req, res)) return;
    handler(req, res);
  }

  const ttlOf = (clientId: string) => options.accessTokenTtl?.[clientId] ?? 3600;
  const provider = new Provider(server.url, {
    clients: [
      ...options.clients,
      { ...INTROSPECTOR, token_endpoint_auth_method: 'client_secret_basic', redirect_uris: [], grant_types: [], response_types: [] },
    ],
    jwks: { keys: [await jwk()] },
    async findAccount(_ctx, sub) {
      if (sub !== ALICE.sub) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, name: ALICE.name, email: ALICE.email, email_verified: ALICE.email_verified }),
      };
    },
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      // Clients revoke only their own tokens; only the test's resource-server client introspects.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      introspection: { enabled: true, allowedPolicy: async (_ctx, client) => client.clientId === INTROSPECTOR.client_id },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          html(ctx, page('Sign out', `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`));
        },
        async postLogoutSuccessSource(ctx) {
          html(ctx, page('Signed out', '<p id="signed-out">Signed out</p>'));
        },
      },
      ...options.features,
    },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    // The docs' example: public web clients doing the code flow get a refresh token even without
    // offline_access; everyone else with it (OpenID Connect Core 11).
    async issueRefreshToken(_ctx, client, source) {
      if (!client.grantTypeAllowed('refresh_token')) return false;
      return source.scopes.has('offline_access') || (client.applicationType === 'web' && client.clientAuthMethod === 'none');
    },
    rotateRefreshToken: true,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris.some((uri) => new URL(uri).origin === origin),
    async renderError(ctx, out) {
      html(
        ctx,
        page(
          'Error',
          `<p id="error">${Object.values(out)
            .join(' ')
            .replace(/[<>&"']/g, '')}</p>`,
        ),
      );
    },
    ttl: {
      AccessToken: (_ctx, _token, client) => ttlOf(client.clientId),
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 24 * 3600,
      Interaction: 600,
      Session: 24 * 3600,
      Grant: 24 * 3600,
    },
  });

  const record: OpRecord = {
    authorizations: [],
    grants: [],
    refreshTokens: [],
    accessTokens: [],
    consumedRefreshTokens: [],
    endSessions: 0,
    grantErrors: [],
    serverErrors: [],
  };
  provider.on('authorization.accepted', (ctx) => void record.authorizations.push({ ...ctx.oidc.params }));
  provider.on('grant.success', (ctx) => {
    const authorization = ctx.headers.authorization;
    record.grants.push({
      grantType: String(ctx.oidc.params?.grant_type),
      clientId: ctx.oidc.client?.clientId ?? '',
      authorization: typeof authorization === 'string' ? authorization.split(' ')[0] : undefined,
    });
  });
  provider.on('refresh_token.saved', (token) => void record.refreshTokens.push(token.jti));
  provider.on('access_token.saved', (token) => void record.accessTokens.push(token.jti));
  provider.on('refresh_token.consumed', (token) => void record.consumedRefreshTokens.push(token.jti));
  provider.on('end_session.success', () => void (record.endSessions += 1));
  provider.on('grant.error', (_ctx, error) => {
    const { error_description: description } = error as Error & { error_description?: string };
    record.grantErrors.push(`${error.message}: ${description ?? ''}`);
  });
  provider.on('server_error', (_ctx, error) => void record.serverErrors.push(error));
  handler = provider.callback();

  const basic = `Basic ${Buffer.from(`${INTROSPECTOR.client_id}:${INTROSPECTOR.client_secret}`).toString('base64')}`;
  return {
    issuer: server.url,
    provider,
    record,
    countGrants: (grantType, clientId) =>
      record.grants.filter((grant) => grant.grantType === grantType && (clientId === undefined || grant.clientId === clientId)).length,
    async introspect(token) {
      const response = await fetch(`${server.url}/token/introspection`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }),
      });
      if (response.status !== 200) throw new Error(`introspection answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { active: boolean; client_id?: string; token_type?: string };
    },
    async dropAccessToken(value) {
      const token = await provider.AccessToken.find(value);
      if (!token) throw new Error('no such access token at the OP');
      await token.destroy();
    },
    holdTokenRequests() {
      let release = () => {};
      const promise = new Promise<void>((resolve) => (release = resolve));
      const current = { promise, release, held: 0 };
      gate = current;
      return {
        held: () => current.held,
        release() {
          if (gate === current) gate = undefined;
          current.release();
        },
      };
    },
    close: () => server.close(),
  };
}
