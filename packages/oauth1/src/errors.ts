/**
 * Errors of RFC 5849 signing and verification. The codes are the `oauth_problem` values of the
 * OAuth Problem Reporting extension, so a server can report them to the client as they are.
 */
import { LatchkeyError } from '@latchkey/common';

export const OAUTH1_ERROR_CODES = [
  'malformed_authorization_header',
  'parameter_absent',
  'parameter_rejected',
  'version_rejected',
  'signature_method_rejected',
  'signature_invalid',
  'timestamp_refused',
  'nonce_used',
  'invalid_key',
] as const;
export type OAuth1ErrorCode = (typeof OAUTH1_ERROR_CODES)[number];

export function isOAuth1ErrorCode(value: unknown): value is OAuth1ErrorCode {
  return typeof value === 'string' && (OAUTH1_ERROR_CODES as readonly string[]).includes(value);
}

export interface OAuth1ErrorOptions {
  /** The underlying error, kept for debugging; never shown to end users. */
  cause?: unknown;
  /** The protocol parameter at fault (`oauth_problem`'s `oauth_parameters_absent` / `_rejected`). */
  parameter?: string;
}

export class OAuth1Error extends LatchkeyError<OAuth1ErrorCode> {
  /** The protocol parameter at fault, when one is; never its value. */
  readonly parameter?: string;

  constructor(code: OAuth1ErrorCode, message: string, options?: OAuth1ErrorOptions) {
    super(code, message, { cause: options?.cause });
    if (options?.parameter !== undefined) this.parameter = options.parameter;
  }
}
