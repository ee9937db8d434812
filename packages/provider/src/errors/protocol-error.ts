import { LatchkeyError, type LatchkeyErrorOptions } from '@latchkey/common';

/**
 * Error codes the provider answers with: RFC 6749 sections 4.1.2.1 and 5.2, RFC 6750 section 3.1,
 * RFC 7009 section 2.2.1 and OpenID Connect Core section 3.1.2.6 (`invalid_request_uri`, also RFC 9101 section 6.2).
 */
export const PROTOCOL_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'unsupported_token_type',
  'invalid_scope',
  'access_denied',
  'server_error',
  'temporarily_unavailable',
  'invalid_token',
  'insufficient_scope',
  'login_required',
  'consent_required',
  'interaction_required',
  'request_not_supported',
  'request_uri_not_supported',
  'invalid_request_uri',
  'registration_not_supported',
  'not_found',
  'invalid_dpop_proof',
  'use_dpop_nonce',
] as const;
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

export interface ProtocolErrorOptions extends LatchkeyErrorOptions {
  /** HTTP status; defaults by code (401 for `invalid_client`/`invalid_token`, 403 for `insufficient_scope`, else 400). */
  status?: number;
  /** The challenge for a `WWW-Authenticate` header (RFC 6749 section 5.2, RFC 6750 section 3, RFC 9449 section 7.1). */
  challenge?: ProtocolChallenge;
  /** Scope a protected resource needs, for `insufficient_scope` (RFC 6750 section 3). */
  scope?: string;
  /** The request carried no credentials at all: the Bearer challenge then names no error (RFC 6750 section 3.1). */
  bareChallenge?: boolean;
  /** A nonce the client must put in its next DPoP proof, sent as `DPoP-Nonce` (RFC 9449 section 8). */
  dpopNonce?: string;
}

export type ProtocolChallenge = 'Basic' | 'Bearer' | 'DPoP';

function defaultStatus(code: ProtocolErrorCode): number {
  if (code === 'invalid_client' || code === 'invalid_token') return 401;
  if (code === 'insufficient_scope' || code === 'access_denied') return 403;
  if (code === 'server_error') return 500;
  if (code === 'temporarily_unavailable') return 503;
  if (code === 'not_found') return 404;
  return 400;
}

/**
 * An OAuth protocol error, rendered by the one error middleware per endpoint kind. The message is the
 * `error_description` sent to the client: it never contains a token, code, verifier or secret.
 */
export class ProtocolError extends LatchkeyError<ProtocolErrorCode> {
  readonly status: number;
  readonly challenge: ProtocolChallenge | undefined;
  readonly scope: string | undefined;
  readonly bareChallenge: boolean;
  readonly dpopNonce: string | undefined;

  constructor(code: ProtocolErrorCode, description: string, options: ProtocolErrorOptions = {}) {
    super(code, description, options);
    this.status = options.status ?? defaultStatus(code);
    this.challenge = options.challenge;
    this.scope = options.scope;
    this.bareChallenge = options.bareChallenge === true;
    this.dpopNonce = options.dpopNonce;
  }
}

export function isProtocolError(value: unknown): value is ProtocolError {
  return value instanceof ProtocolError;
}
