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
] as const;
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

// Fixed texts: a message never echoes a token, a code or provider-supplied text.
const MESSAGES: Record<AuthErrorCode, string> = {
  state_missing: 'The callback URL has no state parameter.',
  state_mismatch: 'The callback state matches no login started in this browser.',
  state_expired: 'The login took too long; start it again.',
  state_used: 'This callback URL was already handled.',
  authorization_denied: 'The user or the provider denied the authorization.',
  authorization_failed: 'The provider answered the authorization request with an error.',
  issuer_mismatch: 'The callback came from an unexpected issuer (RFC 9207).',
  token_exchange_failed: 'The provider refused to exchange the authorization code.',
  id_token_invalid: 'The ID token failed validation.',
  login_required: 'No usable session: log in again.',
  refresh_failed: 'The provider refused to refresh the tokens.',
  network_error: 'The provider could not be reached.',
  invalid_return_to: 'returnTo must be a path on this origin.',
  discovery_failed: 'The provider metadata could not be loaded.',
  revocation_failed: 'The provider did not confirm the token revocation.',
  end_session_unsupported: 'The provider has no end_session_endpoint.',
};

export interface AuthErrorOptions extends LatchkeyErrorOptions {
  /** The provider's `error` (RFC 6749 section 4.1.2.1 / 5.2). */
  oauthError?: string | undefined;
  /** The provider's `error_description`; provider text, so never put in `message`. */
  oauthErrorDescription?: string | undefined;
}

/** An error of the browser SDK: a stable `code`, the provider's error when it gave one, and the cause. */
export class AuthError extends LatchkeyError<AuthErrorCode> {
  /** The provider's `error` value, when the failure came from the provider. */
  readonly oauthError: string | undefined;
  /** The provider's `error_description`, when it gave one. */
  readonly oauthErrorDescription: string | undefined;

  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    super(code, MESSAGES[code], options);
    this.oauthError = options.oauthError;
    this.oauthErrorDescription = options.oauthErrorDescription;
  }
}
