import * as oauth from 'oauth4webapi';
import type { BasicAuthEncoding } from '../config/client-config.js';
import type { ResolvedClientAuth } from '../config/resolved-config.js';

/** oauth4webapi's client authentication for the configured `tokenEndpointAuthMethod` (RFC 6749 section 2.3). */
export function clientAuthentication(auth: ResolvedClientAuth): oauth.ClientAuth {
  switch (auth.method) {
    case 'client_secret_basic':
      return basicAuthentication(auth.clientSecret, auth.encoding);
    case 'client_secret_post':
      return oauth.ClientSecretPost(auth.clientSecret);
    case 'private_key_jwt':
      return oauth.PrivateKeyJwt(auth.clientPrivateKey);
    case 'none':
      return oauth.None();
  }
}

function basicAuthentication(clientSecret: string, encoding: BasicAuthEncoding): oauth.ClientAuth {
  switch (encoding) {
    case 'unreserved':
      return clientSecretBasic(clientSecret, encodeBasicCredential);
    case 'form':
      return oauth.ClientSecretBasic(clientSecret);
    case 'none':
      return clientSecretBasic(clientSecret, (value) => value);
  }
}

/**
 * Percent-encodes (UTF-8) everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`), so `:`
 * always is. RFC 6749 section 2.3.1 asks for form-encoding, which also encodes `- . _ ~`; a server that
 * form-decodes reads the same id and secret from either, and a server that compares the decoded header as
 * it is (Authlib 1.2, Reddit, X) accepts the common ids and secrets made of unreserved characters only.
 */
export function encodeBasicCredential(value: string): string {
  // encodeURIComponent leaves `! ' ( ) *` too (STYLE.md's trap), which are not unreserved.
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * HTTP Basic over `encode(id):encode(secret)` in UTF-8 (RFC 7617 section 2). With no encoding (`none`)
 * the configuration was checked for colons and control characters; the secret may be empty (Reddit's
 * installed apps).
 */
function clientSecretBasic(clientSecret: string, encode: (value: string) => string): oauth.ClientAuth {
  return (_as, client, _body, headers) => {
    const credentials = Buffer.from(`${encode(client.client_id)}:${encode(clientSecret)}`, 'utf8').toString('base64');
    headers.set('authorization', `Basic ${credentials}`);
  };
}
