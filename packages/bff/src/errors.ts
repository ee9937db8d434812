import { LatchkeyError, type LatchkeyErrorOptions } from '@latchkey/common';
import type { BffErrorCode } from '@latchkey/common';

/** HTTP status each BFF error code answers with. */
const STATUS: Record<BffErrorCode, number> = {
  csrf_rejected: 403,
  origin_rejected: 403,
  unknown_provider: 404,
  state_mismatch: 400,
  state_missing: 400,
  authorization_denied: 400,
  login_failed: 400,
  login_required: 401,
  invalid_return_to: 400,
  invalid_proxy_path: 400,
  unsupported_request: 400,
  body_too_large: 413,
  method_not_allowed: 405,
  request_timeout: 408,
  refresh_failed: 401,
  upstream_timeout: 504,
  upstream_error: 502,
  upstream_token_echo: 502,
  store_unavailable: 503,
  not_found: 404,
  internal_error: 500,
};

/**
 * An error the BFF answers the browser with: a stable `code` from the BFF contract and the HTTP status
 * it maps to. Its message is safe to show and never contains a token, code, verifier or secret.
 */
export class BffError extends LatchkeyError<BffErrorCode> {
  readonly status: number;

  constructor(code: BffErrorCode, message: string, options?: LatchkeyErrorOptions) {
    super(code, message, options);
    this.status = STATUS[code];
  }
}
