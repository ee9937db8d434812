import { LatchkeyError, type LatchkeyErrorOptions } from '@latchkey/common';

/**
 * Why a logout token was refused (OpenID Connect Back-Channel Logout 1.0 section 2.6), one stable code
 * per check. Each is answered 400 `invalid_request` (section 2.8) and ends nothing.
 */
const LOGOUT_TOKEN_REFUSALS = [
  'logout_token_missing',
  'logout_token_malformed',
  'logout_token_signature_invalid',
  'logout_token_alg_not_allowed',
  'logout_token_type_invalid',
  'logout_token_issuer_mismatch',
  'logout_token_audience_mismatch',
  'logout_token_iat_invalid',
  'logout_token_expired',
  'logout_token_events_invalid',
  'logout_token_nonce_present',
  'logout_token_subject_missing',
  'logout_token_jti_missing',
  'logout_token_replayed',
] as const;

export type LogoutTokenRefusal = (typeof LOGOUT_TOKEN_REFUSALS)[number];

/** A logout token the BFF refused. Its message names the failed check and never quotes the token. */
export class LogoutTokenError extends LatchkeyError<LogoutTokenRefusal> {
  constructor(code: LogoutTokenRefusal, message: string, options?: LatchkeyErrorOptions) {
    super(code, message, options);
  }
}
