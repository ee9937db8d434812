import { signRequest } from '@latchkey/oauth1';
import type { ProtectedRequest, TokenPlacement } from '../config/client-config.js';
import type { ResolvedClientConfig } from '../config/resolve-config.js';
import type { OAuth1Protocol } from '../oauth1/oauth1-protocol.js';
import type { OAuthToken } from '../tokens/token.js';

const FORM = 'application/x-www-form-urlencoded';

function isForm(request: ProtectedRequest): boolean {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() === FORM;
}

function appendQuery(url: URL, name: string, value: string): URL {
  const next = new URL(url.href);
  const pair = `${name}=${encodeURIComponent(value)}`;
  next.search = url.search === '' ? `?${pair}` : `${url.search}&${pair}`;
  return next;
}

/** RFC 6750 section 2: header, form body (form requests only; else the header), or query. */
function attachBearer(request: ProtectedRequest, accessToken: string, placement: TokenPlacement): ProtectedRequest {
  if (placement === 'query') return { ...request, url: appendQuery(request.url, 'access_token', accessToken) };
  if (placement === 'body' && isForm(request)) {
    const existing = request.body?.toString('utf8') ?? '';
    const pair = `access_token=${encodeURIComponent(accessToken)}`;
    return { ...request, body: Buffer.from(existing === '' ? pair : `${existing}&${pair}`) };
  }
  return { ...request, headers: { ...request.headers, authorization: `Bearer ${accessToken}` } };
}

/**
 * RFC 5849 section 3: signs the request as it will be sent, query and form body included. Body
 * placement needs a form body (section 3.5.2); other requests carry the parameters in the header.
 */
function attachOAuth1Signature(
  request: ProtectedRequest,
  config: ResolvedClientConfig,
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
    placement,
  });
  const headers: Record<string, string> = { ...request.headers };
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  const body = form === undefined ? request.body : Buffer.from(signed.body ?? '', 'utf8');
  return { ...request, url: new URL(signed.url), headers, ...(body === undefined ? {} : { body }) };
}

export function authorizeRequest(
  request: ProtectedRequest,
  token: OAuthToken,
  config: ResolvedClientConfig,
  oauth1: OAuth1Protocol | undefined,
): ProtectedRequest {
  if (token.kind === 'oauth2') return attachBearer(request, token.accessToken, config.clientKwargs.tokenPlacement);
  return attachOAuth1Signature(request, config, oauth1 as OAuth1Protocol, token);
}

