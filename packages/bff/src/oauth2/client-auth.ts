import * as oauth from 'oauth4webapi';
import type { ResolvedClientConfig } from '../config/resolve-config.js';

/** oauth4webapi's client authentication for the configured `tokenEndpointAuthMethod` (RFC 6749 section 2.3). */
export function clientAuthentication(config: ResolvedClientConfig): oauth.ClientAuth {
  const { tokenEndpointAuthMethod, clientPrivateKey } = config.clientKwargs;
  switch (tokenEndpointAuthMethod) {
    case 'client_secret_basic':
      return config.clientKwargs.basicAuthEncoding === 'none'
        ? rawClientSecretBasic(config.clientSecret as string)
        : oauth.ClientSecretBasic(config.clientSecret as string);
    case 'client_secret_post':
      return oauth.ClientSecretPost(config.clientSecret as string);
    case 'private_key_jwt':
      return oauth.PrivateKeyJwt(clientPrivateKey as oauth.PrivateKey);
    case 'none':
      return oauth.None();
  }
}

/**
 * HTTP Basic over the raw `id:secret` in UTF-8 (RFC 7617 section 2), skipping the form-encoding that
 * RFC 6749 section 2.3.1 asks for and `oauth.ClientSecretBasic` applies: Reddit and X compare the
 * decoded header as it is, so an id with `-` or `_` sent as `%2D` / `%5F` is refused. The secret may be
 * empty (Reddit's installed apps). The configuration was checked for colons and control characters.
 */
export function rawClientSecretBasic(clientSecret: string): oauth.ClientAuth {
  return (_as, client, _body, headers) => {
    const credentials = Buffer.from(`${client.client_id}:${clientSecret}`, 'utf8').toString('base64');
    headers.set('authorization', `Basic ${credentials}`);
  };
}
