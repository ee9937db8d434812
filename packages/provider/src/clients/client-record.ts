/** Grant types the provider implements (RFC 6749 section 4 and 6). */
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'password', 'implicit'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/** Client authentication at the token endpoint (RFC 6749 section 2.3, OIDC Core section 9). */
export const REGISTERED_CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
export type RegisteredClientAuthMethod = (typeof REGISTERED_CLIENT_AUTH_METHODS)[number];

/** OAuth 1.0a settings of a client (RFC 5849 section 2). */
export interface OAuth1ClientSettings {
  /** Callback URIs the client may name in `oauth_callback` (exact match); `oob` needs listing too. */
  callbackUris: string[];
  /** PEM public key, for clients that sign with RSA-SHA1. */
  rsaPublicKey?: string;
}

/**
 * One registered client. The same record serves OAuth 2 (client id and secret) and OAuth 1.0a
 * (consumer key and secret): a client with `oauth1` settings can use the OAuth 1 endpoints.
 */
export interface ClientRecord {
  clientId: string;
  /** Absent for public clients (`tokenEndpointAuthMethod: 'none'`). */
  clientSecret?: string;
  /** Shown on the consent page. */
  name: string;
  /** Exact redirect URIs (RFC 6749 section 3.1.2; compared as strings, no prefix matching). */
  redirectUris: string[];
  /** Exact URIs `/oauth/logout` may send the user back to (OpenID Connect RP-Initiated Logout); may be absent. */
  postLogoutRedirectUris?: string[];
  grantTypes: GrantType[];
  /** Scopes this client may ask for. */
  scopes: string[];
  tokenEndpointAuthMethod: RegisteredClientAuthMethod;
  oauth1?: OAuth1ClientSettings;
  /**
   * A resource server: it may introspect tokens issued to any client (RFC 7662 section 2.1). Other
   * clients learn only about their own tokens. Absent means false.
   */
  resourceServer?: boolean;
  /** Only pushed authorization requests are accepted (RFC 9126 section 6). Absent means false. */
  requirePushedAuthorizationRequests?: boolean;
  /** Every token request must carry a DPoP proof, so every access token is key-bound (RFC 9449 section 5.2). Absent means false. */
  dpopBoundAccessTokens?: boolean;
  /** Where logout tokens are POSTed when a login session it took part in ends (Back-Channel Logout 1.0 section 2.2). */
  backchannelLogoutUri?: string;
  /** The client needs `sid` in logout tokens (section 2.2); the provider always sends it. Absent means false. */
  backchannelLogoutSessionRequired?: boolean;
  /** Epoch seconds. */
  createdAt: number;
}

export function isPublicClient(client: ClientRecord): boolean {
  return client.tokenEndpointAuthMethod === 'none';
}
