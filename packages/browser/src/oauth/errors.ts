import {
  type AuthorizationResponseError,
  JWT_CLAIM_COMPARISON,
  JWT_TIMESTAMP_CHECK,
  OperationProcessingError,
  ResponseBodyError,
} from 'oauth4webapi';
import { AuthError, type AuthErrorCode } from '../errors/auth-error.js';

/** OpenID Connect Core 3.1.2.6 errors that mean "the user has to log in interactively". */
const INTERACTION_ERRORS = ['login_required', 'interaction_required', 'consent_required', 'account_selection_required'];

/** An authorization error response (RFC 6749 section 4.1.2.1) as a typed error. */
export function authorizationError(error: AuthorizationResponseError): AuthError {
  const code: AuthErrorCode =
    error.error === 'access_denied'
      ? 'authorization_denied'
      : INTERACTION_ERRORS.includes(error.error)
        ? 'login_required'
        : 'authorization_failed';
  return new AuthError(code, { cause: error, oauthError: error.error, oauthErrorDescription: error.error_description });
}

/**
 * An oauth4webapi failure talking to the provider (discovery, or the pushed request, token or revocation
 * endpoint) as a typed error, keeping the original as `cause`: an `AuthError` (`network_error`) stays as
 * it is; the provider's error body keeps its `error`/`error_description`; a failed ID token claim check
 * (nonce, audience, issuer, expiry) is `id_token_invalid`; anything else gets `fallback`.
 */
export function providerError(cause: unknown, fallback: AuthErrorCode): AuthError {
  if (cause instanceof AuthError) return cause;
  if (cause instanceof ResponseBodyError) {
    return new AuthError(fallback, { cause, oauthError: cause.error, oauthErrorDescription: cause.error_description });
  }
  if (cause instanceof OperationProcessingError && (cause.code === JWT_CLAIM_COMPARISON || cause.code === JWT_TIMESTAMP_CHECK)) {
    return new AuthError('id_token_invalid', { cause });
  }
  return new AuthError(fallback, { cause });
}
