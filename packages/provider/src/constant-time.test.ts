import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from './constant-time.js';

describe('constantTimeEqual', () => {
  it('accepts equal strings', () => {
    expect(constantTimeEqual('kd94hf93k423kf44', 'kd94hf93k423kf44')).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('caf\u00e9', 'caf\u00e9')).toBe(true);
  });

  it('rejects different values, including different lengths, without throwing', () => {
    expect(constantTimeEqual('kd94hf93k423kf44', 'kd94hf93k423kf45')).toBe(false);
    expect(constantTimeEqual('short', 'a much longer secret')).toBe(false);
    expect(constantTimeEqual('abc', '')).toBe(false);
    expect(constantTimeEqual('caf\u00e9', 'cafe')).toBe(false);
  });
});
