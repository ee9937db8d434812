import { describe, expect, it } from 'vitest';
import { isRefreshDue, refreshDueAt } from './expiry-rule.js';

describe('the refresh rule', () => {
  it('refreshes skew before expiry when the lifetime is long', () => {
    expect(refreshDueAt({ issuedAt: 0, expiresAt: 3600 }, 60)).toBe(3540);
    expect(refreshDueAt({ expiresAt: 3600 }, 60)).toBe(3540);
  });

  it('refreshes a token that lives shorter than twice the skew half-way through its lifetime', () => {
    expect(refreshDueAt({ issuedAt: 1000, expiresAt: 1003 }, 60)).toBe(1001.5);
    expect(refreshDueAt({ issuedAt: 0, expiresAt: 100 }, 60)).toBe(50);
    expect(isRefreshDue({ issuedAt: 1000, expiresAt: 1003 }, 1000, 60)).toBe(false);
    expect(isRefreshDue({ issuedAt: 1000, expiresAt: 1003 }, 1002, 60)).toBe(true);
  });

  it('works in any unit and never refreshes after expiry', () => {
    expect(refreshDueAt({ issuedAt: 0, expiresAt: 3_000 }, 60_000)).toBe(1_500);
    expect(refreshDueAt({ issuedAt: 10, expiresAt: 5 }, 60)).toBe(5);
    expect(refreshDueAt({ issuedAt: 0, expiresAt: 10 }, 0)).toBe(10);
  });
});
