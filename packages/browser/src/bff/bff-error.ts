import { LatchkeyError, type BffErrorCode, type LatchkeyErrorOptions } from '@latchkey/common';

/** A BFF error code, or `network_error` when the BFF could not be reached at all. */
export type BffErrorCodeOrNetwork = BffErrorCode | 'network_error';

/** An error answered by the BFF (same `code` as its JSON body), or a failure to reach it. */
export class BffClientError extends LatchkeyError<BffErrorCodeOrNetwork> {
  /** HTTP status of the BFF's answer; 0 when there was none (network error, or read from the URL). */
  readonly status: number;
  /** The provider concerned, when known (a failed login names it). */
  readonly provider: string | undefined;

  constructor(
    code: BffErrorCodeOrNetwork,
    message: string,
    options: LatchkeyErrorOptions & { status?: number; provider?: string | undefined } = {},
  ) {
    super(code, message, options);
    this.status = options.status ?? 0;
    this.provider = options.provider;
  }
}
