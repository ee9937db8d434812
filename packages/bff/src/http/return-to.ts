import { BffError } from '../errors.js';

const PLACEHOLDER_ORIGIN = 'http://latchkey.invalid';
const CONTROL = /[\u0000-\u001f\u007f]/;

function decodeRepeatedly(value: string): string {
  let current = value;
  for (let round = 0; round < 3; round += 1) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/**
 * Accepts a same-origin path only (no open redirect) and returns it normalized. Checked as the path the
 * browser will follow: `//evil`, `/\evil`, `https:evil`, `/.//evil` (same origin as a URL, but its
 * normalized path starts with `//`), control characters, and encoded forms of all of these are refused.
 */
export function checkReturnTo(value: string | undefined): string {
  if (value === undefined || value === '') return '/';
  const reject = (reason: string) =>
    new BffError('invalid_return_to', 'returnTo must be a path on this site.', { cause: new Error(reason) });
  if (value.length > 2048) throw reject('too long');
  if (!value.startsWith('/') || value.startsWith('//')) throw reject('not a path');
  if (value.includes('\\') || CONTROL.test(value)) throw reject('backslash or control character');
  const decoded = decodeRepeatedly(value);
  if (decoded.startsWith('//') || decoded.includes('\\') || CONTROL.test(decoded) || /^\/*[a-z][a-z0-9+.-]*:/i.test(decoded)) {
    throw reject('encoded escape');
  }
  let url: URL;
  try {
    url = new URL(value, PLACEHOLDER_ORIGIN);
  } catch (cause) {
    throw new BffError('invalid_return_to', 'returnTo must be a path on this site.', { cause });
  }
  if (url.origin !== PLACEHOLDER_ORIGIN || url.pathname.startsWith('//')) throw reject('leaves the origin');
  return `${url.pathname}${url.search}${url.hash}`;
}
