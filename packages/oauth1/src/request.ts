/**
 * RFC 5849 section 3.4.1.3.1: the three sources of request parameters (query, form body and
 * `Authorization` header), read the same way by the signing client and the verifying server.
 */
import { parseAuthorizationHeader, isOAuthAuthorization } from './authorization-header.js';
import { parseRequestUrl } from './base-string.js';
import type { ParameterList } from './parameters.js';
import { percentDecode } from './percent-encoding.js';

/** A request as both sides see it. Header names lower-case. `body` is the raw body text. */
export interface OAuth1Request {
  method: string;
  url: string;
  headers?: Record<string, string | undefined>;
  body?: string;
}

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * Decodes `application/x-www-form-urlencoded` text (W3C HTML 4.01 section 17.13.4, as section
 * 3.4.1.3.1 requires): `+` is a space, a name without `=` has an empty value, empty pairs are
 * skipped. A malformed escape is `parameter_rejected`.
 */
export function decodeForm(text: string): ParameterList {
  const params: ParameterList = [];
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    const rawValue = equals === -1 ? '' : pair.slice(equals + 1);
    const name = percentDecode(rawName.replaceAll('+', ' '));
    params.push([name, percentDecode(rawValue.replaceAll('+', ' '), name)]);
  }
  return params;
}

/** Whether the body counts as parameters: only a form-encoded body does (section 3.4.1.3.1). */
function hasFormBody(request: OAuth1Request): boolean {
  const contentType = request.headers?.['content-type'];
  if (contentType === undefined || request.body === undefined) return false;
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase();
  return mediaType === FORM_CONTENT_TYPE;
}

/** The parameters of each placement, before `oauth_signature` is set aside. */
export interface ParameterSources {
  header?: ParameterList;
  realm?: string;
  query: ParameterList;
  body: ParameterList;
}

export function readParameterSources(request: OAuth1Request): ParameterSources {
  const query = decodeForm(parseRequestUrl(request.url).search.slice(1));
  const body = hasFormBody(request) ? decodeForm(request.body ?? '') : [];
  const authorization = request.headers?.authorization;
  if (authorization === undefined || !isOAuthAuthorization(authorization)) return { query, body };
  const parsed = parseAuthorizationHeader(authorization);
  return {
    header: Object.entries(parsed.params),
    ...(parsed.realm === undefined ? {} : { realm: parsed.realm }),
    query,
    body,
  };
}

/**
 * Every parameter that is signed: query, form body and `Authorization: OAuth` header parameters,
 * without the header's `realm` and without `oauth_signature`.
 */
export function collectParameters(request: OAuth1Request): ParameterList {
  const sources = readParameterSources(request);
  return [...sources.query, ...sources.body, ...(sources.header ?? [])].filter(([name]) => name !== 'oauth_signature');
}
