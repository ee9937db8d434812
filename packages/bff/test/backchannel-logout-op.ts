import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { listen } from '../../../test-support/listen.js';

/** The member of `events` that makes a JWT a logout token (Back-Channel Logout 1.0 section 2.4). */
export const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Who the next login at the stand-in is: the ID token's `sub` and `sid`. */
export interface StandInLogin {
  sub: string;
  sid: string;
}

export interface LogoutTokenOptions {
  /** Claims to set (`undefined` removes one of the defaults). */
  claims?: Record<string, unknown>;
  /** Header `typ`; default `logout+jwt`, `null` for none. */
  typ?: string | null;
  /** Signs with a key the stand-in does not publish. */
  foreignKey?: boolean;
  /** Signs HS256 with this secret (the client secret, as OpenID Connect Core section 10.1 would have it). */
  hmacSecret?: string;
}

/**
 * A small OpenID provider stand-in on 127.0.0.1: discovery, a JWKS, an authorization endpoint that
 * grants at once, and a token endpoint issuing RS256 ID tokens (with `sid`) and refresh tokens. It
 * signs logout tokens with the same key, or with a foreign one, so every refusal can be made on purpose.
 */
export async function startStandInOp(clientId: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'stand-in-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce: string | undefined; login: StandInLogin }>();
  const refreshTokens = new Map<string, StandInLogin>();
  let next: StandInLogin = { sub: 'alice', sid: randomUUID() };
  let refreshDoor: { reached: () => void; open: Promise<void> } | undefined;
  let refreshes = 0;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const readForm = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  };
  const sign = (payload: JWTPayload, key: CryptoKey, typ: string | null) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'stand-in-1', ...(typ === null ? {} : { typ }) }).sign(key);

  const server = await listen((req, res) => {
    void route(req, res).catch((error: unknown) => json(res, 500, { error: 'server_error', error_description: String(error) }));
  });
  const issuer = server.url;

  async function tokens(login: StandInLogin, nonce: string | undefined) {
    const now = Math.floor(Date.now() / 1000);
    const refreshToken = randomUUID();
    refreshTokens.set(refreshToken, login);
    const idToken = await sign(
      { iss: issuer, aud: clientId, sub: login.sub, sid: login.sid, iat: now, exp: now + 600, ...(nonce === undefined ? {} : { nonce }) },
      privateKey,
      'JWT',
    );
    return { access_token: randomUUID(), token_type: 'Bearer', expires_in: 3600, refresh_token: refreshToken, id_token: idToken };
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
      });
    }
    if (url.pathname === '/jwks') return json(res, 200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const code = randomUUID();
      codes.set(code, { nonce: url.searchParams.get('nonce') ?? undefined, login: next });
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      back.searchParams.set('iss', issuer);
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = await readForm(req);
      if (form.get('grant_type') === 'authorization_code') {
        const granted = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (granted === undefined) return json(res, 400, { error: 'invalid_grant' });
        return json(res, 200, await tokens(granted.login, granted.nonce));
      }
      const login = refreshTokens.get(form.get('refresh_token') ?? '');
      if (login === undefined) return json(res, 400, { error: 'invalid_grant' });
      refreshes += 1;
      const answer = await tokens(login, undefined);
      const door = refreshDoor;
      refreshDoor = undefined;
      if (door !== undefined) {
        door.reached();
        await door.open;
      }
      return json(res, 200, answer);
    }
    json(res, 404, { error: 'not_found' });
  }

  return {
    issuer,
    metadataUrl: `${issuer}/.well-known/openid-configuration`,
    /** Refresh grants answered. */
    refreshes: () => refreshes,
    /** The next login is this user in this provider login session. */
    nextLogin(login: StandInLogin) {
      next = login;
    },
    /**
     * Holds the next refresh answer (already made: the grant is rotated) until `release()`; `reached`
     * resolves once it is held.
     */
    holdNextRefresh() {
      let release = () => {};
      const open = new Promise<void>((resolve) => {
        release = resolve;
      });
      const reached = new Promise<void>((resolve) => {
        refreshDoor = { reached: resolve, open };
      });
      return { reached, release: () => release() };
    },
    /** A logout token for the current login's sid and sub unless `claims` says otherwise. */
    logoutToken(options: LogoutTokenOptions = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = {
        iss: issuer,
        aud: clientId,
        iat: now,
        exp: now + 120,
        jti: randomUUID(),
        sub: next.sub,
        sid: next.sid,
        events: { [LOGOUT_EVENT]: {} },
      };
      for (const [name, value] of Object.entries(options.claims ?? {})) {
        if (value === undefined) delete payload[name];
        else payload[name] = value;
      }
      const typ = options.typ === undefined ? 'logout+jwt' : options.typ;
      if (options.hmacSecret !== undefined) {
        return new SignJWT(payload)
          .setProtectedHeader({ alg: 'HS256', ...(typ === null ? {} : { typ }) })
          .sign(new TextEncoder().encode(options.hmacSecret));
      }
      return sign(payload, options.foreignKey ? foreign.privateKey : privateKey, typ);
    },
    close: () => server.close(),
  };
}

export type StandInOp = Awaited<ReturnType<typeof startStandInOp>>;

/** Delivers a logout token as an OP does: a form POST, no cookie (section 2.5). */
export function postLogoutToken(bffUrl: string, provider: string, token: string | URLSearchParams): Promise<Response> {
  return fetch(`${bffUrl}/bff/backchannel-logout/${provider}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: typeof token === 'string' ? new URLSearchParams({ logout_token: token }) : token,
  });
}
