import { sameSitePath } from '@latchkey/common';
import { BffError } from '../errors.js';

/** A bound on what a login keeps in its transaction, well above any path an app links to. */
const MAX_RETURN_TO_LENGTH = 2048;

/**
 * The path to send the browser to after a login: `/` when none is given (or `''`), else a path on this site by the
 * one `returnTo` rule of `@latchkey/common` (no open redirect), normalized.
 */
export function checkReturnTo(value: string | undefined): string {
  if (value === undefined) return '/';
  const path = value.length > MAX_RETURN_TO_LENGTH ? null : sameSitePath(value);
  if (path === null) throw new BffError('invalid_return_to', 'returnTo must be a path on this site.');
  return path;
}
