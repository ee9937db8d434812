import type { ExtraSignatureMethods } from '@latchkey/oauth1';

/** What a custom generator is asked for; each kind is generated independently. */
export type OAuth1SecretKind = 'temporary' | 'temporary_secret' | 'token' | 'token_secret' | 'verifier';

/** Options of the provider's OAuth 1.0a server (RFC 5849). */
export interface OAuth1ServerOptions {
  /** Signature methods accepted. Default `['HMAC-SHA1']`; add `'PLAINTEXT'`, `'RSA-SHA1'` or keys of `extraSignatureMethods`. */
  signatureMethods?: string[];
  /** Methods beside the built-in ones, by name (e.g. `{ 'HMAC-SHA256': hmacSha256 }` of `@latchkey/oauth1`). Default none. */
  extraSignatureMethods?: ExtraSignatureMethods;
  /** PLAINTEXT sends the secrets in the clear: it is refused over plain HTTP unless this is true (local development). Default false. */
  dangerouslyAllowPlaintextOverHttp?: boolean;
  /** Accepted clock skew of `oauth_timestamp`, in seconds. Default 300. */
  timestampWindowSeconds?: number;
  /** Lifetime of a temporary credential (request token), in seconds. Default 600. */
  temporaryCredentialLifetimeSeconds?: number;
  /** Length of generated tokens. Default 42. */
  tokenLength?: number;
  /** Length of generated token secrets. Default 48. */
  tokenSecretLength?: number;
  /** Replaces the token and secret generator; `kind` says what is being generated. Default: random base64url of the configured length. */
  generateToken?: (kind: OAuth1SecretKind) => string;
  /** Largest form body read to verify a signature, in bytes. Default 65536. */
  maxBodyBytes?: number;
}
