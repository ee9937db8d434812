import * as oauth from 'oauth4webapi';
import type { BffError } from '../errors.js';
import type { LogFields } from '../logger.js';
import { errorFields } from './respond.js';

/**
 * A provider's answer that ended an exchange, or the check it failed: what a log line may say about it.
 * It keeps the HTTP status and the protocol's `error` code (RFC 6749 section 5.2, RFC 5849 errors as
 * servers send them), never the body, a token or a secret.
 */
export class ProviderAnswerError extends Error {
  /** Which check failed, a stable name such as `callback_not_confirmed`. */
  readonly check: string;
  /** The provider's HTTP status, when it answered. */
  readonly httpStatus: number | undefined;
  /** The provider's `error` code, when its answer had one. */
  readonly providerError: string | undefined;

  constructor(check: string, answer: { httpStatus?: number; providerError?: string | null } = {}) {
    super(answer.httpStatus === undefined ? `check failed: ${check}` : `HTTP ${answer.httpStatus}: ${check}`);
    this.name = 'ProviderAnswerError';
    this.check = check;
    this.httpStatus = answer.httpStatus;
    this.providerError = answer.providerError ?? undefined;
  }
}

/** What a log may repeat of a provider's word: an error code's characters, bounded (RFC 6749 section 5.2 allows more). */
const LOGGABLE = /^[A-Za-z0-9_.:-]{1,64}$/;
const loggable = (value: unknown): string | undefined => (typeof value === 'string' && LOGGABLE.test(value) ? value : undefined);

interface Cause {
  reason?: string;
  upstreamStatus?: number;
  providerError?: string;
}

/** A cause with the fields that are known, and no key for the others. */
const causeOf = (reason?: string, upstreamStatus?: number, providerError?: string): Cause => ({
  ...(reason === undefined ? {} : { reason }),
  ...(upstreamStatus === undefined ? {} : { upstreamStatus }),
  ...(providerError === undefined ? {} : { providerError }),
});

/** What one link of a cause chain says, read only from fields known to carry no secret. */
function readLink(link: unknown): Cause {
  if (link instanceof ProviderAnswerError) {
    return causeOf(loggable(link.check), link.httpStatus, loggable(link.providerError));
  }
  if (link instanceof oauth.ResponseBodyError) return causeOf(link.code, link.status, loggable(link.error));
  if (link instanceof oauth.AuthorizationResponseError) return causeOf(link.code, undefined, loggable(link.error));
  if (link instanceof oauth.WWWAuthenticateChallengeError) {
    const error = link.cause.map((challenge) => challenge.parameters.error).find((value) => value !== undefined);
    return causeOf(link.code, link.status, loggable(error));
  }
  if (link instanceof Response) return { upstreamStatus: link.status };
  // Only errors are read: a plain object in a chain is a provider's parsed answer, which may hold anything.
  if (!(link instanceof Error)) return {};
  // Node's system errors (ECONNREFUSED under fetch's TypeError), oauth4webapi's OAUTH_* codes, a timeout's name.
  const reason =
    loggable((link as { code?: unknown }).code) ?? (link.name === 'TimeoutError' || link.name === 'AbortError' ? link.name : undefined);
  return reason === undefined ? {} : { reason };
}

/**
 * The log fields of a failed login: the BFF's own (`code`, `status`, `cause`, `causeCode`) and what caused
 * it, read down the `cause` chain: `reason` (the check that failed, the first error code found, or the
 * BFF code itself), `upstreamStatus` (the provider's HTTP status) and `providerError` (its `error` code).
 * Every `login failed` line names a `reason`.
 */
export function loginFailureFields(error: BffError): LogFields {
  let found: Cause = {};
  let link: unknown = error.cause;
  for (let depth = 0; depth < 8 && link !== undefined && link !== null; depth += 1) {
    // The first link that names a field wins: later links only fill the fields still missing.
    found = { ...readLink(link), ...found };
    // oauth4webapi keeps the raw answer (a Response, a parsed body) as `cause`: only errors lead further down.
    link = link instanceof Error ? link.cause : undefined;
  }
  return {
    ...errorFields(error),
    reason: found.reason ?? error.code,
    ...(found.upstreamStatus === undefined ? {} : { upstreamStatus: found.upstreamStatus }),
    ...(found.providerError === undefined ? {} : { providerError: found.providerError }),
  };
}
