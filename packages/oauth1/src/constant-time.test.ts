import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from './constant-time.js';

describe('constantTimeEqual', () => {
  it('accepts equal strings and bytes', () => {
    expect(constantTimeEqual('kd94hf93k423kf44', 'kd94hf93k423kf44')).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('rejects different values, including different lengths, without throwing', () => {
    expect(constantTimeEqual('kd94hf93k423kf44', 'kd94hf93k423kf45')).toBe(false);
    expect(constantTimeEqual('short', 'a much longer secret')).toBe(false);
    expect(constantTimeEqual('abc', '')).toBe(false);
  });

  it('treats a multi-byte character by its UTF-8 bytes', () => {
    expect(constantTimeEqual('caf\u00e9', 'caf\u00e9')).toBe(true);
    expect(constantTimeEqual('caf\u00e9', 'cafe')).toBe(false);
  });
});
