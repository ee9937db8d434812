import { signRequest } from '@latchkey/oauth1';
import { BffError } from '../errors.js';
import type { ProtectedRequest, TokenPlacement } from '../config/client-config.js';
import type { ResolvedClientConfig, ResolvedOAuth1Config, ResolvedOAuth2Config } from '../config/resolved-config.js';
import type { OAuth1Protocol } from '../oauth1/oauth1-protocol.js';
import type { OAuthToken } from '../tokens/token.js';

const FORM = 'application/x-www-form-urlencoded';
const ACCESS_TOKEN = 'access_token';
/** RFC 6750 section 2.2: only a method whose body has defined semantics; "GET" MUST NOT be used. */
const BODYLESS_METHODS = new Set(['GET', 'HEAD']);
const ASCII = /^[\u0000-\u007f]*$/;

function mediaType(headers: Record<string, string>): string | undefined {
  const value = headers['content-type'];
  return value === undefined ? undefined : (value.split(';')[0] ?? '').trim().toLowerCase();
}

function isForm(request: Pick<ProtectedRequest, 'headers'>): boolean {
  return mediaType(request.headers) === FORM;
}

/** Drops `access_token` pairs from form-encoded text, keeping every other pair byte for byte. */
function withoutAccessToken(encoded: string): string[] {
  return encoded.split('&').filter((pair) => pair !== '' && new URLSearchParams(pair).keys().next().value !== ACCESS_TOKEN);
}

function withAccessToken(encoded: string, accessToken: string): string {
  return [...withoutAccessToken(encoded), `${ACCESS_TOKEN}=${encodeURIComponent(accessToken)}`].join('&');
}

/**
 * Why RFC 6750 section 2.2 forbids a form-body token on this request, or `undefined` when it allows one:
 * a form content type (or no body at all, which becomes one), a method with body semantics, ASCII only.
 */
function bodyPlacementProblem(method: string, headers: Record<string, string>, body: Buffer | undefined): string | undefined {
  if (BODYLESS_METHODS.has(method.toUpperCase())) return `${method} cannot carry a form body`;
  const empty = body === undefined || body.length === 0;
  const type = mediaType(headers);
  if (type === undefined && empty) return undefined;
  if (type !== FORM) return 'the body is not application/x-www-form-urlencoded';
  const text = body?.toString('latin1') ?? '';
  if (!ASCII.test(text) || [...new URLSearchParams(text)].some(([name, value]) => !ASCII.test(name + value))) {
    return 'the form body is not ASCII';
  }
  return undefined;
}

/**
 * Refuses, before any token lookup, a call whose token could not travel where the provider takes it:
 * with `tokenPlacement: 'body'`, anything but a form body (RFC 6750 section 2.2).
 */
export function checkTokenPlacement(
  config: ResolvedClientConfig,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
): void {
  if (config.protocol !== 'oauth2' || config.clientKwargs.tokenPlacement !== 'body') return;
  const problem = bodyPlacementProblem(method, headers, body);
  if (problem !== undefined) {
    throw new BffError(
      'unsupported_request',
      `${config.name} takes its access token in a form body: send application/x-www-form-urlencoded with POST, PUT or PATCH.`,
      { cause: new Error(problem) },
    );
  }
}

/**
 * RFC 6750 section 2: the `Authorization` header (2.1), the form body (2.2) or the query (2.3). In
 * the body or the query, an `access_token` the caller put there is replaced, so only ours travels.
 */
function attachBearer(request: ProtectedRequest, accessToken: string, placement: TokenPlacement): ProtectedRequest {
  if (placement === 'query') {
    const url = new URL(request.url.href);
    url.search = `?${withAccessToken(request.url.search.slice(1), accessToken)}`;
    return { ...request, url };
  }
  if (placement === 'body') {
    const problem = bodyPlacementProblem(request.method, request.headers, request.body);
    if (problem !== undefined)
      throw new BffError('unsupported_request', 'The access token cannot travel in this request body.', { cause: new Error(problem) });
    const { 'content-length': _length, ...headers } = request.headers;
    const body = Buffer.from(withAccessToken(request.body?.toString('latin1') ?? '', accessToken), 'latin1');
    return { ...request, headers: { ...headers, 'content-type': request.headers['content-type'] ?? FORM }, body };
  }
  return { ...request, headers: withBearerHeader(request.headers, accessToken) };
}

/** RFC 6750 section 2.1: a copy of `headers` carrying the token as `Authorization: Bearer`. */
export function withBearerHeader(headers: Record<string, string>, accessToken: string): Record<string, string> {
  return { ...headers, authorization: `Bearer ${accessToken}` };
}

/**
 * RFC 5849 section 3: signs the request as it will be sent, query and form body included. Body
 * placement needs a form body (section 3.5.2); other requests carry the parameters in the header.
 */
function attachOAuth1Signature(
  request: ProtectedRequest,
  config: ResolvedOAuth1Config,
  protocol: OAuth1Protocol,
  token: Extract<OAuthToken, { kind: 'oauth1' }>,
): ProtectedRequest {
  const form = isForm(request) ? [...new URLSearchParams(request.body?.toString('utf8') ?? '')] : undefined;
  const placement = config.clientKwargs.signatureType === 'body' && form === undefined ? 'header' : config.clientKwargs.signatureType;
  const signed = signRequest({
    method: request.method,
    url: request.url.href,
    ...(form === undefined ? {} : { form }),
    consumerKey: config.clientId,
    token: token.oauthToken,
    keys: protocol.signingKeys(token.oauthTokenSecret),
    signatureMethod: config.clientKwargs.signatureMethod,
    extraSignatureMethods: config.clientKwargs.extraSignatureMethods,
    placement,
  });
  const headers: Record<string, string> = { ...request.headers };
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  // The body is rewritten below; the pool sets the length of what is actually sent.
  if (form !== undefined) delete headers['content-length'];
  const body = form === undefined ? request.body : Buffer.from(signed.body ?? '', 'utf8');
  return { ...request, url: new URL(signed.url), headers, ...(body === undefined ? {} : { body }) };
}

/** What attaching a token takes from the provider: its configuration, and for OAuth 1 its signer. */
export type RequestAuthorizer =
  | { protocol: 'oauth2'; config: ResolvedOAuth2Config }
  | { protocol: 'oauth1'; config: ResolvedOAuth1Config; oauth1: OAuth1Protocol };

/** Attaches `token` as the provider takes it. A token of the other protocol (from `fetchToken`) is refused. */
export function authorizeRequest(request: ProtectedRequest, token: OAuthToken, provider: RequestAuthorizer): ProtectedRequest {
  if (token.kind === 'oauth2') {
    // RFC 9449 section 7.1: a DPoP-bound token travels as `Authorization: DPoP`, beside its proof.
    if (token.dpopKey !== undefined) return { ...request, headers: { ...request.headers, authorization: `DPoP ${token.accessToken}` } };
    // A bearer token sent to an OAuth 1 provider goes in the header, RFC 6750's default.
    const placement = provider.protocol === 'oauth2' ? provider.config.clientKwargs.tokenPlacement : 'header';
    return attachBearer(request, token.accessToken, placement);
  }
  if (provider.protocol === 'oauth2') {
    throw new BffError('internal_error', `${provider.config.name} is an OAuth 2 provider: an OAuth 1 token cannot be signed for it.`);
  }
  return attachOAuth1Signature(request, provider.config, provider.oauth1, token);
}
