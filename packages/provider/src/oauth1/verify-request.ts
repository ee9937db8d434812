/**
 * Server-side checks of a signed request, shared by the three endpoints and protected resources
 * (RFC 5849 section 3.2): protocol parameters, client credentials, signature method, timestamp
 * window, token, signature, and last the nonce, so only a correctly signed request spends one.
 */
import { isLatchkeyError } from '@latchkey/common';
import { readOAuthParameters, verifySignature, type OAuth1Request, type ReceivedOAuthParameters, type SigningKeys } from '@latchkey/oauth1';
import type { Context } from 'koa';
import type { ClientRecord } from '../clients/client-record.js';
import type { ProviderContext } from '../provider-context.js';
import { nonceKey } from './credentials.js';
import { isOAuth1Problem, OAuth1ProblemError } from './problem.js';
import { toOAuth1Request } from './read-request.js';
import type { ResolvedOAuth1Options } from './resolve-options.js';

export type OAuth1Endpoint = 'initiate' | 'token' | 'resource';

/** A client that may use the OAuth 1 endpoints: it has OAuth 1 settings and a consumer secret. */
type OAuth1Client = ClientRecord & Required<Pick<ClientRecord, 'oauth1' | 'clientSecret'>>;

export interface VerifiedRequest {
  client: OAuth1Client;
  received: ReceivedOAuthParameters;
}

/**
 * The endpoint's own checks, run once the client is known and before the signature is verified:
 * its required parameters and the token named by `oauth_token`, whose secret it returns (or
 * `undefined` when the endpoint takes no token). Throws `OAuth1ProblemError` to refuse.
 */
export type EndpointCheck = (received: ReceivedOAuthParameters, client: OAuth1Client) => Promise<string | undefined>;

const ADVICE = {
  malformed_authorization_header: 'The Authorization header is not a valid OAuth header.',
  parameter_absent: 'A required OAuth parameter is missing.',
  parameter_rejected: 'An OAuth parameter is duplicated, malformed or not allowed here.',
  version_rejected: 'Only oauth_version 1.0 is supported.',
  signature_method_rejected: 'The signature method is not accepted.',
  signature_invalid: 'The signature does not match.',
  timestamp_refused: 'The timestamp is not acceptable.',
  nonce_used: 'The nonce was already used.',
  invalid_key: 'The signature could not be verified with the registered key.',
} as const;

function adviceFor(code: string): string {
  return (ADVICE as Record<string, string | undefined>)[code] ?? 'The request is not a valid OAuth 1.0a request.';
}

/** Turns an error of `@latchkey/oauth1` into the problem the client is told about. */
function toProblem(error: unknown): OAuth1ProblemError {
  if (error instanceof OAuth1ProblemError) return error;
  if (!isLatchkeyError(error)) throw error;
  const parameter = (error as { parameter?: unknown }).parameter;
  const parameters = typeof parameter === 'string' ? [parameter] : undefined;
  const options = parameters ? { cause: error, parameters } : { cause: error };
  const advice = adviceFor(error.code);
  if (error.code === 'malformed_authorization_header') {
    return new OAuth1ProblemError('parameter_rejected', advice, { cause: error, parameters: ['Authorization'] });
  }
  if (error.code === 'invalid_key') return new OAuth1ProblemError('signature_invalid', advice, options);
  if (isOAuth1Problem(error.code)) return new OAuth1ProblemError(error.code, advice, options);
  throw error;
}

function secureTransport(ctx: Context, context: ProviderContext): boolean {
  // TLS may end at a proxy in front of the provider: its public issuer URL then says https.
  return ctx.secure || new URL(context.issuer).protocol === 'https:';
}

function requireOAuth1Client(client: ClientRecord | undefined): OAuth1Client {
  if (!client) throw new OAuth1ProblemError('consumer_key_unknown', 'The consumer key is not known.');
  if (!client.oauth1 || client.clientSecret === undefined) {
    throw new OAuth1ProblemError('consumer_key_rejected', 'This client is not registered for OAuth 1.0a.');
  }
  return client as OAuth1Client;
}

function checkSignatureMethod(
  ctx: Context,
  context: ProviderContext,
  options: ResolvedOAuth1Options,
  received: ReceivedOAuthParameters,
  client: OAuth1Client,
): void {
  const method = received.signatureMethod;
  if (!options.signatureMethods.includes(method)) {
    throw new OAuth1ProblemError('signature_method_rejected', `Accepted signature methods: ${options.signatureMethods.join(', ')}.`);
  }
  // RFC 5849 section 3.4.4: PLAINTEXT sends both secrets in the clear, so only over TLS.
  if (method === 'PLAINTEXT' && !options.dangerouslyAllowPlaintextOverHttp && !secureTransport(ctx, context)) {
    throw new OAuth1ProblemError('signature_method_rejected', 'PLAINTEXT is only accepted over HTTPS.');
  }
  if (method === 'RSA-SHA1' && !client.oauth1.rsaPublicKey) {
    throw new OAuth1ProblemError('signature_method_rejected', 'This client has no registered RSA public key.');
  }
}

/** Section 3.1: PLAINTEXT may omit the timestamp and nonce; every other method must send both. */
function replayParameters(received: ReceivedOAuthParameters): { timestamp: number; nonce: string } | undefined {
  const hasTimestamp = typeof received.timestamp === 'number' && Number.isFinite(received.timestamp);
  const hasNonce = typeof received.nonce === 'string' && received.nonce.length > 0;
  if (hasTimestamp && hasNonce) return { timestamp: received.timestamp, nonce: received.nonce };
  if (received.signatureMethod === 'PLAINTEXT' && !hasTimestamp && !hasNonce) return undefined;
  const missing = hasTimestamp ? 'oauth_nonce' : 'oauth_timestamp';
  throw new OAuth1ProblemError('parameter_absent', `${missing} is required.`, { parameters: [missing] });
}

function checkTimestamp(context: ProviderContext, options: ResolvedOAuth1Options, timestamp: number): void {
  const now = Math.floor(context.now() / 1000);
  const window = options.timestampWindowSeconds;
  if (Math.abs(timestamp - now) > window) {
    throw new OAuth1ProblemError('timestamp_refused', `oauth_timestamp must be within ${window} seconds of the server clock.`, {
      acceptableTimestamps: [now - window, now + window],
    });
  }
}

/**
 * Section 3.3: the nonce is remembered for as long as its timestamp stays inside the window (at
 * most twice the window, for a client clock running ahead), so no replay is accepted in between.
 */
async function spendNonce(
  context: ProviderContext,
  options: ResolvedOAuth1Options,
  clientId: string,
  token: string | undefined,
  { timestamp, nonce }: { timestamp: number; nonce: string },
): Promise<void> {
  const now = Math.floor(context.now() / 1000);
  const ttl = Math.max(1, timestamp + options.timestampWindowSeconds - now + 1);
  const fresh = await context.storage.add(nonceKey(clientId, token, timestamp, nonce), 1, ttl);
  if (!fresh) throw new OAuth1ProblemError('nonce_used', 'This nonce was already used with this timestamp.');
}

async function parse(ctx: Context, context: ProviderContext, options: ResolvedOAuth1Options) {
  const request: OAuth1Request = await toOAuth1Request(ctx, context.issuer, options.maxBodyBytes);
  try {
    return { request, received: readOAuthParameters(request, { extraSignatureMethods: options.extraSignatureMethods }) };
  } catch (error) {
    throw toProblem(error);
  }
}

/** Verifies a signed request end to end; throws `OAuth1ProblemError` and changes nothing on failure. */
export async function verifySignedRequest(
  ctx: Context,
  context: ProviderContext,
  options: ResolvedOAuth1Options,
  endpoint: OAuth1Endpoint,
  check: EndpointCheck,
): Promise<VerifiedRequest> {
  let clientId: string | null = null;
  try {
    const { request, received } = await parse(ctx, context, options);
    const client = requireOAuth1Client(await context.clients.get(received.consumerKey));
    clientId = client.clientId;
    checkSignatureMethod(ctx, context, options, received, client);
    const replay = replayParameters(received);
    if (replay) checkTimestamp(context, options, replay.timestamp);
    const tokenSecret = await check(received, client);

    const keys: SigningKeys = { consumerSecret: client.clientSecret };
    if (tokenSecret !== undefined) keys.tokenSecret = tokenSecret;
    if (client.oauth1.rsaPublicKey) keys.publicKey = client.oauth1.rsaPublicKey;
    let valid: boolean;
    try {
      valid = verifySignature(request, received, keys, { extraSignatureMethods: options.extraSignatureMethods });
    } catch (error) {
      throw toProblem(error);
    }
    if (!valid) throw new OAuth1ProblemError('signature_invalid', ADVICE.signature_invalid);

    if (replay) await spendNonce(context, options, client.clientId, received.token, replay);
    return { client, received };
  } finally {
    context.emit({ type: 'oauth1_request', endpoint, clientId });
  }
}
