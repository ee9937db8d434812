/**
 * RFC 5849 section 3.6: percent-encoding. Text is UTF-8 encoded first; only the unreserved set
 * `A-Z a-z 0-9 - . _ ~` stays as is, everything else becomes `%XX` with upper-case hex.
 */
import { OAuth1Error } from './errors.js';

// encodeURIComponent already does UTF-8 and upper-case hex, but leaves these five alone.
const LEFT_BY_ENCODE_URI_COMPONENT = /[!'()*]/g;

function hex(character: string): string {
  return `%${character.charCodeAt(0).toString(16).toUpperCase()}`;
}

export function percentEncode(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch (cause) {
    // A lone surrogate has no UTF-8 form, so no two parties could agree on its encoding.
    throw new OAuth1Error('parameter_rejected', 'A value is not valid Unicode text.', { cause });
  }
  return encoded.replace(LEFT_BY_ENCODE_URI_COMPONENT, hex);
}

/**
 * Reverses section 3.6 encoding (and any other `%XX` escapes). Malformed escapes or bytes that are
 * not UTF-8 are refused rather than replaced, so the signed text is never silently altered.
 */
export function percentDecode(value: string, parameter?: string): string {
  try {
    return decodeURIComponent(value);
  } catch (cause) {
    throw new OAuth1Error('parameter_rejected', 'A parameter is not correctly percent-encoded.', {
      cause,
      ...(parameter === undefined ? {} : { parameter }),
    });
  }
}
