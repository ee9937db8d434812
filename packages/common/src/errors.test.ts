import { describe, expect, it } from 'vitest';
import { ConfigurationError, LatchkeyError, isLatchkeyError } from './errors.js';

describe('LatchkeyError', () => {
  it('keeps code, name and cause', () => {
    const cause = new Error('socket hang up');
    const error = new LatchkeyError('network_error', 'The provider could not be reached.', { cause });
    expect(error.code).toBe('network_error');
    expect(error.name).toBe('LatchkeyError');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });

  it('is recognised by brand, not by instanceof (duplicate package copies)', () => {
    const foreign = Object.assign(new Error('x'), { code: 'state_mismatch' });
    Object.defineProperty(foreign, Symbol.for('latchkey.error'), { value: true });
    expect(isLatchkeyError(foreign)).toBe(true);
    expect(isLatchkeyError(foreign, 'state_mismatch')).toBe(true);
    expect(isLatchkeyError(foreign, 'other')).toBe(false);
    expect(isLatchkeyError(new Error('plain'))).toBe(false);
    expect(isLatchkeyError(null)).toBe(false);
  });

  it('names subclasses after themselves and records the option', () => {
    const error = new ConfigurationError('clientId', 'clientId is required (or set GITHUB_CLIENT_ID).');
    expect(error.name).toBe('ConfigurationError');
    expect(error.code).toBe('configuration_error');
    expect(error.option).toBe('clientId');
    expect(isLatchkeyError(error, 'configuration_error')).toBe(true);
  });
});
