/**
 * RFC 5849 section 3.4.1: the signature base string, `METHOD&encoded-uri&encoded-parameters`, and
 * its base string URI (section 3.4.1.2).
 */
import { OAuth1Error } from './errors.js';
import { normalizeParameters, type ParameterList } from './parameters.js';
import { percentEncode } from './percent-encoding.js';

export function parseRequestUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new OAuth1Error('parameter_rejected', 'The request URL is not an absolute URL.', { cause });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new OAuth1Error('parameter_rejected', 'The request URL must use http or https.');
  }
  return parsed;
}

/**
 * Section 3.4.1.2: scheme and host in lower case, the port only when it is not the scheme's
 * default (80 for http, 443 for https), then the path; never user info, query or fragment.
 */
export function baseStringUri(url: string | URL): string {
  // The WHATWG parser lower-cases scheme and host and blanks a default port.
  const parsed = parseRequestUrl(url);
  const port = parsed.port === '' ? '' : `:${parsed.port}`;
  return `${parsed.protocol}//${parsed.hostname}${port}${parsed.pathname}`;
}

/** Section 3.4.1.1: `params` holds every request parameter (query included) except `oauth_signature`. */
export function signatureBaseString(method: string, url: string | URL, params: ParameterList): string {
  return [method.toUpperCase(), percentEncode(baseStringUri(url)), percentEncode(normalizeParameters(params))].join('&');
}
