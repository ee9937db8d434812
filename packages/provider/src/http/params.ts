import { ProtocolError } from '../errors/protocol-error.js';

/** Longest value accepted for any one protocol parameter, in characters. */
export const MAX_PARAMETER_LENGTH = 2048;
/** Most parameters accepted in one request (query or form). */
export const MAX_PARAMETER_COUNT = 64;

/**
 * One request's protocol parameters, each present at most once.
 * RFC 6749 section 3.1 and 3.2: "Request and response parameters MUST NOT be included more than once."
 */
export class Params {
  private constructor(private readonly values: ReadonlyMap<string, string>) {}

  /**
   * Parses `application/x-www-form-urlencoded` text (a query string or a form body). A repeated
   * name, too many parameters or an oversized value is `invalid_request`.
   */
  static parse(text: string, maxLength = MAX_PARAMETER_LENGTH): Params {
    const values = new Map<string, string>();
    let count = 0;
    for (const [name, value] of new URLSearchParams(text)) {
      count += 1;
      if (count > MAX_PARAMETER_COUNT) throw new ProtocolError('invalid_request', 'Too many parameters.');
      if (values.has(name)) {
        throw new ProtocolError('invalid_request', `Parameter ${safeName(name)} is included more than once.`);
      }
      if (value.length > maxLength || name.length > 128) {
        throw new ProtocolError('invalid_request', `Parameter ${safeName(name)} is too long.`);
      }
      values.set(name, value);
    }
    return new Params(values);
  }

  static empty(): Params {
    return new Params(new Map());
  }

  /** The value, or `undefined` when absent. An empty value counts as absent (RFC 6749 section 3.1). */
  get(name: string): string | undefined {
    const value = this.values.get(name);
    return value === '' ? undefined : value;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** The value, or `invalid_request` naming the missing parameter. */
  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw new ProtocolError('invalid_request', `Parameter ${name} is required.`);
    return value;
  }

  names(): string[] {
    return [...this.values.keys()];
  }

  toObject(): Record<string, string> {
    return Object.fromEntries(this.values);
  }
}

/** Parameter names are echoed in descriptions; keep them short and printable. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '?').slice(0, 40);
}
