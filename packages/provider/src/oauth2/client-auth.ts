import type { Context } from 'koa';
import { constantTimeEqual } from '../constant-time.js';
import type { ClientRecord, RegisteredClientAuthMethod } from '../clients/client-record.js';
import type { ClientRegistry } from '../clients/client-registry.js';
import { ProtocolError } from '../errors/protocol-error.js';
import type { Params } from '../http/params.js';

export interface AuthenticatedClient {
  client: ClientRecord;
  method: RegisteredClientAuthMethod;
}

interface Presented {
  clientId: string;
  secret: string | undefined;
  method: RegisteredClientAuthMethod;
}

/** RFC 6749 appendix B: form-url-decoding, where "+" is a space. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/**
 * `client_secret_basic` (RFC 6749 section 2.3.1): the client id and secret are form-url-encoded,
 * joined by ":" and base64-encoded, so each half is decoded after the base64.
 */
function parseBasic(header: string): { clientId: string; secret: string } {
  const invalid = (cause?: unknown) => new ProtocolError('invalid_client', 'Malformed Basic credentials.', { challenge: 'Basic', cause });
  const encoded = header.slice('basic '.length).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw invalid();
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalid();
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch (cause) {
    throw invalid(cause);
  }
}

/** Which credentials the request presents; more than one method is `invalid_request` (RFC 6749 section 2.3). */
function presented(ctx: Context, params: Params): Presented | undefined {
  const header = ctx.get('authorization');
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (header !== '') {
    if (!/^basic /i.test(header)) {
      throw new ProtocolError('invalid_client', 'Unsupported client authentication scheme.', { challenge: 'Basic' });
    }
    if (bodySecret !== undefined) {
      throw new ProtocolError('invalid_request', 'Use only one client authentication method.');
    }
    const basic = parseBasic(header);
    if (bodyId !== undefined && bodyId !== basic.clientId) {
      throw new ProtocolError('invalid_client', 'client_id does not match the Basic credentials.', { challenge: 'Basic' });
    }
    return { clientId: basic.clientId, secret: basic.secret, method: 'client_secret_basic' };
  }
  if (bodyId === undefined) return undefined;
  if (bodySecret !== undefined) return { clientId: bodyId, secret: bodySecret, method: 'client_secret_post' };
  return { clientId: bodyId, secret: undefined, method: 'none' };
}

/**
 * Authenticates the client of a token, revocation or introspection request. The client must use the
 * method it registered: a public client cannot send a secret, a confidential one cannot omit it.
 */
export async function authenticateClient(ctx: Context, params: Params, clients: ClientRegistry): Promise<AuthenticatedClient> {
  const credentials = presented(ctx, params);
  if (!credentials) throw new ProtocolError('invalid_client', 'Client authentication is required.');
  // RFC 6749 section 5.2: a client that tried Basic gets a Basic challenge back.
  const basicChallenge = credentials.method === 'client_secret_basic' ? { challenge: 'Basic' as const } : {};
  const fail = (description: string) => new ProtocolError('invalid_client', description, basicChallenge);

  const client = await clients.get(credentials.clientId);
  // Compare against a dummy secret when the client is unknown, so timing does not reveal which ids exist.
  const expected = client?.clientSecret ?? 'x'.repeat(32);
  const secretMatches = credentials.secret !== undefined && constantTimeEqual(credentials.secret, expected);
  if (!client) throw fail('Client authentication failed.');
  if (credentials.method !== client.tokenEndpointAuthMethod) {
    throw fail('The client must use its registered authentication method.');
  }
  if (credentials.method !== 'none' && (!secretMatches || client.clientSecret === undefined)) {
    throw fail('Client authentication failed.');
  }
  return { client, method: credentials.method };
}
