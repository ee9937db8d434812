import * as oauth from 'oauth4webapi';
import type { ResolvedClientConfig } from '../config/resolve-config.js';

/** oauth4webapi's client authentication for the configured `tokenEndpointAuthMethod` (RFC 6749 section 2.3). */
export function clientAuthentication(config: ResolvedClientConfig): oauth.ClientAuth {
  const { tokenEndpointAuthMethod, clientPrivateKey } = config.clientKwargs;
  switch (tokenEndpointAuthMethod) {
    case 'client_secret_basic':
      return oauth.ClientSecretBasic(config.clientSecret as string);
    case 'client_secret_post':
      return oauth.ClientSecretPost(config.clientSecret as string);
    case 'private_key_jwt':
      return oauth.PrivateKeyJwt(clientPrivateKey as oauth.PrivateKey);
    case 'none':
      return oauth.None();
  }
}
