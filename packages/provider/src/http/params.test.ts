import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors/protocol-error.js';
import { MAX_PARAMETER_COUNT, Params } from './params.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof ProtocolError ? error.code : 'other';
  }
  return 'none';
};

describe('Params', () => {
  it('refuses repeated names, too many parameters and oversized values', () => {
    expect(codeOf(() => Params.parse('a=1&a=2'))).toBe('invalid_request');
    expect(codeOf(() => Params.parse('a=1&a='))).toBe('invalid_request');
    expect(codeOf(() => Params.parse(Array.from({ length: MAX_PARAMETER_COUNT + 1 }, (_, i) => `p${i}=1`).join('&')))).toBe(
      'invalid_request',
    );
    expect(codeOf(() => Params.parse(`a=${'x'.repeat(3000)}`))).toBe('invalid_request');
  });

  it('decodes form encoding and treats empty values as absent', () => {
    const params = Params.parse('scope=openid+email&state=a%26b&empty=');
    expect(params.get('scope')).toBe('openid email');
    expect(params.get('state')).toBe('a&b');
    expect(params.get('empty')).toBeUndefined();
    expect(codeOf(() => params.require('empty'))).toBe('invalid_request');
  });
});
