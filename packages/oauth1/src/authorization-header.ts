/**
 * RFC 5849 section 3.5.1: the `Authorization: OAuth` header. Each parameter is `name="value"`
 * with name and value percent-encoded (section 3.6), separated by commas with optional whitespace;
 * `realm` (RFC 2617) is not encoded and is not a request parameter.
 */
import { OAuth1Error } from './errors.js';
import { percentDecode, percentEncode } from './percent-encoding.js';

export interface ParsedAuthorizationHeader {
  realm?: string;
  /** Decoded names and values, `realm` excluded. */
  params: Record<string, string>;
}

const SCHEME = /^OAuth(?=[ \t]|$)/i;
// Encoded names are unreserved characters and escapes; values may carry anything but quotes,
// backslashes and control characters, since some clients leave e.g. `/` unencoded.
const NAME = /[A-Za-z0-9\-._~%]+/y;
const QUOTED_VALUE = /"([^"\\\x00-\x1f\x7f]*)"/y;
const WHITESPACE = /[ \t]*/y;
const REALM_TEXT = /^[^"\\\x00-\x1f\x7f]*$/;

/** True when the header uses the OAuth scheme (other schemes are not ours to parse). */
export function isOAuthAuthorization(header: string): boolean {
  return SCHEME.test(header.trimStart());
}

function malformed(message: string, cause?: unknown): OAuth1Error {
  return new OAuth1Error('malformed_authorization_header', message, { cause });
}

class Cursor {
  position = 0;
  constructor(readonly text: string) {}

  match(pattern: RegExp): RegExpExecArray | null {
    pattern.lastIndex = this.position;
    const found = pattern.exec(this.text);
    if (found) this.position = pattern.lastIndex;
    return found;
  }

  skipWhitespace(): void {
    this.match(WHITESPACE);
  }

  take(character: string): boolean {
    if (this.text[this.position] !== character) return false;
    this.position += 1;
    return true;
  }

  get done(): boolean {
    return this.position >= this.text.length;
  }
}

/** Parses `OAuth realm="x", oauth_a="b", ...`; anything else is `malformed_authorization_header`. */
export function parseAuthorizationHeader(header: string): ParsedAuthorizationHeader {
  const text = header.trim();
  if (!SCHEME.test(text)) throw malformed('The Authorization header does not use the OAuth scheme.');
  const cursor = new Cursor(text);
  cursor.position = 'OAuth'.length;
  const seen = new Map<string, string>();
  let realm: string | undefined;
  let hasRealm = false;

  cursor.skipWhitespace();
  while (!cursor.done) {
    const name = cursor.match(NAME)?.[0];
    if (name === undefined) throw malformed('An Authorization header parameter has no valid name.');
    cursor.skipWhitespace();
    if (!cursor.take('=')) throw malformed('An Authorization header parameter has no value.');
    cursor.skipWhitespace();
    const value = cursor.match(QUOTED_VALUE)?.[1];
    if (value === undefined) throw malformed('An Authorization header value is not a quoted string.');

    if (name === 'realm') {
      if (hasRealm) throw malformed('The Authorization header repeats realm.');
      hasRealm = true;
      realm = value;
    } else {
      let decodedName: string;
      let decodedValue: string;
      try {
        decodedName = percentDecode(name);
        decodedValue = percentDecode(value);
      } catch (cause) {
        throw malformed('An Authorization header parameter is not correctly percent-encoded.', cause);
      }
      if (seen.has(decodedName)) throw malformed('The Authorization header repeats a parameter.');
      seen.set(decodedName, decodedValue);
    }

    cursor.skipWhitespace();
    if (cursor.done) break;
    if (!cursor.take(',')) throw malformed('Authorization header parameters must be separated by commas.');
    cursor.skipWhitespace();
    if (cursor.done) throw malformed('The Authorization header ends with a comma.');
  }

  return { ...(realm === undefined ? {} : { realm }), params: Object.fromEntries(seen) };
}

/** Builds the header value; parameters keep the order given. `realm` must be plain quotable text. */
export function buildAuthorizationHeader(params: Record<string, string>, realm?: string): string {
  const parts: string[] = [];
  if (realm !== undefined) {
    if (!REALM_TEXT.test(realm)) {
      throw new OAuth1Error('parameter_rejected', 'The realm cannot be sent in a quoted string.', {
        parameter: 'realm',
      });
    }
    parts.push(`realm="${realm}"`);
  }
  for (const [name, value] of Object.entries(params)) {
    if (name === 'realm') {
      throw new OAuth1Error('parameter_rejected', 'Pass realm as its own argument.', { parameter: 'realm' });
    }
    parts.push(`${percentEncode(name)}="${percentEncode(value)}"`);
  }
  return parts.length === 0 ? 'OAuth' : `OAuth ${parts.join(', ')}`;
}
