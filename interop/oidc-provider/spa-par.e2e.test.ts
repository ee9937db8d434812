import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../../test-support/chromium.js';
import { ALICE } from '../../test-support/provider.js';
import { chromiumGate } from '../../test-support/services.js';
import { approveLogin, pageText as text } from '../../test-support/spa-tab.js';
import { startOidcProvider, type StartedOp } from './op.js';
import { serveSpa, type ServedSpa } from './spa/serve.js';

// RFC 9126 events of oidc-provider (docs/events.md), beside the ones op.ts records.
declare module 'oidc-provider' {
  interface ProviderEvents {
    'pushed_authorization_request.success': [ctx: ProviderContext, client: Client];
    'pushed_authorization_request.consumed': [request: { readonly jti: string }];
    'authorization.error': [ctx: ProviderContext, error: Error];
  }
}

interface ParApp {
  /** Path prefix on the SPA's origin: pages are `${base}/home` and `${base}/callback`. */
  base: string;
  clientId: string;
  /** The `pushedAuthorizationRequests` option of the app's `createAuthClient`. */
  pushedAuthorizationRequests: boolean;
  /** Which of the two OPs the app logs in at. */
  op: 'required' | 'offered';
}

// One origin, three public clients: the SDK's default against an OP that requires PAR, the same OP with
// PAR turned off in the SDK, and PAR turned off against an OP that offers it without requiring it.
const PUSHED: ParApp = { base: '/par', clientId: 'latchkey-spa.par', pushedAuthorizationRequests: true, op: 'required' };
const UNPUSHED: ParApp = { base: '/par-off', clientId: 'latchkey-spa.par-off', pushedAuthorizationRequests: false, op: 'required' };
const PLAIN: ParApp = { base: '/plain', clientId: 'latchkey-spa.plain', pushedAuthorizationRequests: false, op: 'offered' };
const APPS = [PUSHED, UNPUSHED, PLAIN];

/** The apps ask for no refresh token: these tests are about the authorization request alone. */
const SCOPE = 'openid profile email';

const REQUEST_URI = /^urn:ietf:params:oauth:request_uri:([\w-]+)$/;

/** What an OP recorded of RFC 9126: accepted pushes (client and parameters), used request ids, refusals. */
interface ParRecord {
  pushed: { clientId: string; params: Readonly<Record<string, unknown>> }[];
  consumed: string[];
  authorizationErrors: string[];
}

/** The part of the OP's discovery document these tests read. */
interface ProviderMetadata {
  authorization_endpoint: string;
  pushed_authorization_request_endpoint?: string;
  require_pushed_authorization_requests?: boolean;
}

/** A request Chromium made from a tab, as it left the browser. */
interface Seen {
  method: string;
  url: URL;
  navigation: boolean;
  body: URLSearchParams;
}

interface ParOp {
  op: StartedOp;
  record: ParRecord;
  metadata: ProviderMetadata;
}

/** oidc-provider with PAR on (required or only offered) for the apps that log in at it, and its RFC 9126 events. */
async function startParOp(name: ParApp['op'], spaOrigin: string): Promise<ParOp> {
  const op = await startOidcProvider({
    clients: APPS.filter((app) => app.op === name).map((app) => ({
      client_id: app.clientId,
      token_endpoint_auth_method: 'none' as const,
      application_type: 'web' as const,
      redirect_uris: [`${spaOrigin}${app.base}/callback`],
      grant_types: ['authorization_code'],
    })),
    features: { pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: name === 'required' } },
  });
  const record: ParRecord = { pushed: [], consumed: [], authorizationErrors: [] };
  op.provider.on('pushed_authorization_request.success', (ctx, client) => {
    record.pushed.push({ clientId: client.clientId, params: { ...ctx.oidc.params } });
  });
  op.provider.on('pushed_authorization_request.consumed', (request) => void record.consumed.push(request.jti));
  op.provider.on('authorization.error', (_ctx, error) => void record.authorizationErrors.push(error.message));
  const discovery = await fetch(`${op.issuer}/.well-known/openid-configuration`);
  return { op, record, metadata: (await discovery.json()) as ProviderMetadata };
}

describe.runIf(chromiumGate())('the browser SDK in Chromium pushes its authorization requests to oidc-provider (RFC 9126)', () => {
  let required: ParOp;
  let offered: ParOp;
  let spa: ServedSpa;
  let chromium: LaunchedChromium;

  beforeAll(async () => {
    spa = await serveSpa();
    required = await startParOp('required', spa.server.url);
    offered = await startParOp('offered', spa.server.url);
    spa.configure(APPS.map(({ op, ...app }) => ({ ...app, issuer: (op === 'required' ? required : offered).op.issuer, scope: SCOPE })));
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await spa?.server.close();
    await required?.op.close();
    await offered?.op.close();
  });

  /** A fresh tab on the app's home page (no OP login session left from another test) and every request it makes. */
  async function open(app: ParApp): Promise<{ tab: Page; seen: Seen[] }> {
    await chromium.context.clearCookies();
    const tab = await chromium.context.newPage();
    const seen: Seen[] = [];
    tab.on('request', (request: Request) => {
      seen.push({
        method: request.method(),
        url: new URL(request.url()),
        navigation: request.isNavigationRequest(),
        body: new URLSearchParams(request.postData() ?? ''),
      });
    });
    await tab.goto(`${spa.server.url}${app.base}/home`);
    await expect.poll(() => text(tab, 'status')).toBe('logged-out');
    return { tab, seen };
  }

  /** The requests Chromium made to an endpoint (its exact URL, query aside). */
  const to = (seen: Seen[], endpoint: string | undefined) => seen.filter(({ url }) => `${url.origin}${url.pathname}` === endpoint);

  /** The whole authorization request of an app's login: pushed in the POST's body, or sent in the URL without PAR. */
  const wholeRequest = (app: ParApp) => ({
    client_id: app.clientId,
    redirect_uri: `${spa.server.url}${app.base}/callback`,
    response_type: 'code',
    scope: SCOPE,
    state: expect.stringMatching(/^[\w-]{20,}$/),
    code_challenge: expect.stringMatching(/^[\w-]{43}$/),
    code_challenge_method: 'S256',
    nonce: expect.stringMatching(/^[\w-]{20,}$/),
  });

  it('with PAR required by the OP, the page pushes the request and the browser goes to the OP with client_id and request_uri only', async () => {
    const { op, record, metadata } = required;
    expect(metadata).toMatchObject({
      pushed_authorization_request_endpoint: `${op.issuer}/request`,
      require_pushed_authorization_requests: true,
    });
    const { tab, seen } = await open(PUSHED);
    await tab.click('#login');
    await tab.waitForURL(`${op.issuer}/interaction/**`);

    // The page's own cross-origin POST carries the whole request (RFC 9126 section 2.1).
    const pushes = to(seen, metadata.pushed_authorization_request_endpoint);
    expect(pushes.map(({ method, navigation }) => ({ method, navigation }))).toEqual([{ method: 'POST', navigation: false }]);
    const pushedBody = Object.fromEntries(pushes[0]?.body ?? []);
    expect(pushedBody).toEqual(wholeRequest(PUSHED));
    expect(record.pushed).toEqual([{ clientId: PUSHED.clientId, params: expect.objectContaining(pushedBody) }]);

    // The navigation Chromium made to the authorization endpoint: the request's reference and nothing else.
    const navigations = to(seen, metadata.authorization_endpoint);
    expect(navigations.map(({ method, navigation }) => ({ method, navigation }))).toEqual([{ method: 'GET', navigation: true }]);
    const query = navigations[0]?.url.searchParams ?? new URLSearchParams();
    expect([...query.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(query.get('client_id')).toBe(PUSHED.clientId);
    const requestUri = query.get('request_uri') ?? '';
    expect(requestUri).toMatch(REQUEST_URI);

    await approveLogin(tab, `${spa.server.url}${PUSHED.base}/home`);
    // The OP answered from the pushed request, and used it up.
    expect(op.record.authorizations).toEqual([expect.objectContaining(pushedBody)]);
    expect(record.consumed).toEqual([REQUEST_URI.exec(requestUri)?.[1]]);
    expect(record.authorizationErrors).toEqual([]);
    expect(op.countGrants('authorization_code', PUSHED.clientId)).toBe(1);

    // The access token works at the OP's userinfo endpoint.
    await tab.click('#me-call');
    await expect.poll(() => text(tab, 'me')).toBe(`200:${ALICE.name}`);
    expect(await text(tab, 'error')).toBe('');
    expect(op.record.serverErrors).toEqual([]);
    await tab.close();
  });

  it('with PAR required by the OP and turned off in the SDK, the OP refuses the request sent in the URL', async () => {
    const { op, record, metadata } = required;
    expect(metadata.require_pushed_authorization_requests).toBe(true);
    const pushedBefore = record.pushed.length;
    const { tab, seen } = await open(UNPUSHED);
    await tab.click('#login');
    // The OP sends the refusal to the registered callback (RFC 6749 section 4.1.2.1); the SDK reports it.
    await tab.waitForURL(`${spa.server.url}${UNPUSHED.base}/callback`);
    await expect.poll(() => text(tab, 'status')).toBe('error:authorization_failed');
    expect(to(seen, metadata.pushed_authorization_request_endpoint)).toEqual([]);
    expect(record.pushed).toHaveLength(pushedBefore);
    const sent = to(seen, metadata.authorization_endpoint)[0]?.url.searchParams;
    expect(sent?.get('client_id')).toBe(UNPUSHED.clientId);
    expect(sent?.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(sent?.has('request_uri')).toBe(false);
    const answer = Object.fromEntries(to(seen, `${spa.server.url}${UNPUSHED.base}/callback`)[0]?.url.searchParams ?? []);
    expect(answer).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringMatching(/Pushed Authorization Request must be used/),
      state: sent?.get('state'),
      iss: op.issuer,
    });
    expect(record.authorizationErrors).toEqual(['invalid_request']);
    expect(op.countGrants('authorization_code', UNPUSHED.clientId)).toBe(0);
    await tab.close();
  });

  it('with PAR offered but not required and turned off in the SDK, the navigation carries the whole request and the OP accepts it', async () => {
    const { op, record, metadata } = offered;
    expect(metadata.pushed_authorization_request_endpoint).toBe(`${op.issuer}/request`);
    // Absent means false (RFC 9126 section 5).
    expect(metadata.require_pushed_authorization_requests ?? false).toBe(false);
    const { tab, seen } = await open(PLAIN);
    await tab.click('#login');
    await tab.waitForURL(`${op.issuer}/interaction/**`);

    expect(to(seen, metadata.pushed_authorization_request_endpoint)).toEqual([]);
    expect(record.pushed).toEqual([]);
    const navigations = to(seen, metadata.authorization_endpoint);
    expect(navigations.map(({ method, navigation }) => ({ method, navigation }))).toEqual([{ method: 'GET', navigation: true }]);
    const query = Object.fromEntries(navigations[0]?.url.searchParams ?? []);
    expect(query).toEqual(wholeRequest(PLAIN));

    await approveLogin(tab, `${spa.server.url}${PLAIN.base}/home`);
    expect(op.record.authorizations).toEqual([expect.objectContaining(query)]);
    expect(record.consumed).toEqual([]);
    expect(record.authorizationErrors).toEqual([]);
    expect(op.countGrants('authorization_code', PLAIN.clientId)).toBe(1);

    await tab.click('#me-call');
    await expect.poll(() => text(tab, 'me')).toBe(`200:${ALICE.name}`);
    expect(await text(tab, 'error')).toBe('');
    expect(op.record.serverErrors).toEqual([]);
    await tab.close();
  });
});
