import { LatchkeyError, type LatchkeyErrorOptions } from '@latchkey/common';

/** Every code an `AuthError` can carry; switch on these, never on the message. */
export const AUTH_ERROR_CODES = [
  'state_missing',
  'state_mismatch',
  'state_expired',
  'state_used',
  'authorization_denied',
  'authorization_failed',
  'issuer_mismatch',
  'token_exchange_failed',
  'id_token_invalid',
  'login_required',
  'refresh_failed',
  'network_error',
  'invalid_return_to',
  'discovery_failed',
  'revocation_failed',
  'end_session_unsupported',
  'dpop_unsupported',
  'dpop_rejected',
  'dpop_unbound',
] as const;
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

export interface AuthErrorOptions extends LatchkeyErrorOptions {
  /** The provider's `error` (RFC 6749 section 4.1.2.1 / 5.2). */
  oauthError?: string | undefined;
  /** The provider's `error_description`; provider text, so never put in `message`. */
  oauthErrorDescription?: string | undefined;
}

/** An error of the browser SDK: a stable `code`, the provider's error when it gave one, and the cause. */
export class AuthError extends LatchkeyError<AuthErrorCode> {
  // `declare`: set once by the constructor, so no class field definitions are emitted for them.
  /** The provider's `error` value, when the failure came from the provider. */
  declare readonly oauthError: string | undefined;
  /** The provider's `error_description`, when it gave one. */
  declare readonly oauthErrorDescription: string | undefined;

  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    // The message is the code in words ("state used"): a fixed text per code, so it never echoes a
    // token, a code or provider-supplied text, and the README explains each code.
    super(code, code.replaceAll('_', ' '), options);
    this.oauthError = options.oauthError;
    this.oauthErrorDescription = options.oauthErrorDescription;
  }
}
