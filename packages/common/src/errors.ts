/**
 * The one error base of every Latchkey package.
 *
 * `instanceof` breaks when two copies of a package end up in one bundle, so errors also carry a
 * `Symbol.for` brand that `isLatchkeyError()` checks. Callers branch on `code`, never on `message`.
 */
const BRAND: unique symbol = Symbol.for('latchkey.error') as never;

export interface LatchkeyErrorOptions {
  /** The underlying error or response, kept for debugging; never shown to end users. */
  cause?: unknown;
}

export class LatchkeyError<Code extends string = string> extends Error {
  /** A stable, documented identifier: switch on this, not on the message. */
  readonly code: Code;

  constructor(code: Code, message: string, options?: LatchkeyErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for any Latchkey error, whichever copy of the package created it; narrows by `code` when given. */
export function isLatchkeyError<Code extends string = string>(value: unknown, code?: Code): value is LatchkeyError<Code> {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as { [BRAND]?: unknown })[BRAND] !== true) return false;
  return code === undefined || (value as LatchkeyError).code === code;
}

/** A factory was given options it cannot work with; the message names the option. */
export class ConfigurationError extends LatchkeyError<'configuration_error'> {
  /** The option (or environment variable) that is missing or invalid. */
  readonly option: string;

  constructor(option: string, message: string, options?: LatchkeyErrorOptions) {
    super('configuration_error', message, options);
    this.option = option;
  }
}
