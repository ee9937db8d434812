/**
 * RFC 5849 section 3.4: a signature method turns the signature base string and the client's
 * credentials into `oauth_signature`, and checks a received one.
 */
import type { KeyObject } from 'node:crypto';

export interface SigningKeys {
  /** The client (consumer) shared secret; empty when absent. */
  consumerSecret?: string;
  /** The token shared secret; empty when the request carries no token (section 3.4.2). */
  tokenSecret?: string;
  /** RSA-SHA1 signing key: a PEM string or a `KeyObject`. */
  privateKey?: string | KeyObject;
  /** RSA-SHA1 verifying key: a PEM string (public key or certificate) or a `KeyObject`. */
  publicKey?: string | KeyObject;
}

export interface SignatureMethod {
  /** Returns the `oauth_signature` value (before the percent-encoding of its placement). */
  sign(baseString: string, keys: SigningKeys): string;
  /** Checks a received signature; compares secrets in constant time. */
  verify(baseString: string, signature: string, keys: SigningKeys): boolean;
}
