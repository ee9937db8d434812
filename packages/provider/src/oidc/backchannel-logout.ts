/**
 * OpenID Connect Back-Channel Logout 1.0, the OP side: when a login session ends, every client it signed
 * in that registered a `backchannel_logout_uri` is sent a signed logout token, server to server.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ClientRecord } from '../clients/client-record.js';
import type { SigningKeys } from '../keys/signing-keys.js';
import type { ProviderContext } from '../provider-context.js';
import type { EndedLoginSession } from '../session/login-session.js';

/** The one event a logout token carries (section 2.4). */
const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** A logout token is used at once; two minutes covers clock skew between us and the client. */
const LOGOUT_TOKEN_SECONDS = 120;

export interface BackchannelLogoutDeps {
  context: ProviderContext;
  keys: SigningKeys;
  /** How long one delivery may take, in milliseconds; deliveries run in parallel. */
  timeoutMs: number;
}

/**
 * Section 2.4: `typ: logout+jwt` (section 2.4 and RFC 8725 section 3.11, so it cannot pass as an ID
 * token), `events`, `sid` and `sub`, a fresh `jti`; never a `nonce` (section 2.4 forbids it).
 */
async function signLogoutToken(deps: Pick<BackchannelLogoutDeps, 'context' | 'keys'>, clientId: string, ended: EndedLoginSession) {
  const now = Math.floor(deps.context.now() / 1000);
  const key = deps.keys.current;
  return new SignJWT({ sid: ended.sid, events: { [LOGOUT_EVENT]: {} } })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'logout+jwt' })
    .setIssuer(deps.context.issuer)
    .setSubject(ended.sub)
    .setAudience(clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + LOGOUT_TOKEN_SECONDS)
    .setJti(randomBytes(16).toString('base64url'))
    .sign(key.privateKey);
}

/** Section 2.5: one form POST; a 2xx answer (200 or 204) is success, anything else or no answer a failure. */
async function deliver(deps: BackchannelLogoutDeps, client: ClientRecord & { backchannelLogoutUri: string }, ended: EndedLoginSession) {
  const signal = AbortSignal.timeout(deps.timeoutMs);
  let status: number | null = null;
  try {
    const body = new URLSearchParams({ logout_token: await signLogoutToken(deps, client.clientId, ended) });
    // `redirect: 'manual'`: section 2.5 names no redirects, and following one would send the token elsewhere.
    const response = await fetch(client.backchannelLogoutUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
      signal,
    });
    status = response.status;
    await response.arrayBuffer();
  } catch {
    // Refused, unreachable or too slow: reported below; the client's own session lifetime still applies.
  }
  const delivered = status !== null && status >= 200 && status < 300;
  deps.context.emit({ type: 'backchannel_logout', clientId: client.clientId, delivered, status });
}

/**
 * The login session's end hook: tells each client (section 2.7) in parallel and settles when all have
 * answered or timed out, so an end-session response sent after it means "the clients have been told".
 * A failing client holds up neither the others nor the response beyond the timeout.
 */
export function createBackchannelLogout(deps: BackchannelLogoutDeps): (ended: EndedLoginSession) => Promise<void> {
  return async (ended) => {
    // A client that cannot be read is a client that cannot be told; the session has ended regardless.
    const clients = await Promise.all(ended.clients.map((clientId) => deps.context.clients.get(clientId).catch(() => undefined)));
    const receivers = clients.filter(
      (client): client is ClientRecord & { backchannelLogoutUri: string } => client?.backchannelLogoutUri !== undefined,
    );
    await Promise.allSettled(receivers.map((client) => deliver(deps, client, ended)));
  };
}
