/**
 * Errors of the OAuth 1.0a server, named after the OAuth Problem Reporting extension's
 * `oauth_problem` values, with the HTTP status RFC 5849 section 3.2 gives them: 400 for a
 * missing, duplicated or unsupported parameter (or signature method), 401 for bad credentials,
 * tokens, signatures and nonces.
 */
import { LatchkeyError, type LatchkeyErrorOptions } from '@latchkey/common';

export const OAUTH1_PROBLEMS = {
  version_rejected: 400,
  parameter_absent: 400,
  parameter_rejected: 400,
  signature_method_rejected: 400,
  timestamp_refused: 401,
  nonce_used: 401,
  signature_invalid: 401,
  consumer_key_unknown: 401,
  consumer_key_rejected: 401,
  token_rejected: 401,
  token_expired: 401,
  verifier_invalid: 401,
  permission_denied: 401,
} as const;

export type OAuth1Problem = keyof typeof OAUTH1_PROBLEMS;

export function isOAuth1Problem(value: string): value is OAuth1Problem {
  return Object.hasOwn(OAUTH1_PROBLEMS, value);
}

export interface OAuth1ProblemOptions extends LatchkeyErrorOptions {
  /** Names of the missing (`parameter_absent`) or refused (`parameter_rejected`) parameters. */
  parameters?: string[];
  /** `timestamp_refused`: the accepted range of `oauth_timestamp`, in epoch seconds. */
  acceptableTimestamps?: readonly [min: number, max: number];
}

/**
 * A refused OAuth 1.0a request. The message is the `oauth_problem_advice` sent to the client, so
 * it never carries a token, verifier, signature or secret.
 */
export class OAuth1ProblemError extends LatchkeyError<OAuth1Problem> {
  readonly status: 400 | 401;
  readonly parameters?: string[];
  readonly acceptableTimestamps?: readonly [min: number, max: number];

  constructor(code: OAuth1Problem, advice: string, options: OAuth1ProblemOptions = {}) {
    super(code, advice, options);
    this.status = OAUTH1_PROBLEMS[code];
    if (options.parameters) this.parameters = [...options.parameters];
    if (options.acceptableTimestamps) this.acceptableTimestamps = options.acceptableTimestamps;
  }
}
