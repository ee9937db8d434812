import { describe, expect, it } from 'vitest';
import { accessTokenHash } from './id-token.js';

describe('at_hash', () => {
  it('matches the OpenID Connect Core appendix A.3 example', () => {
    expect(accessTokenHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y')).toBe('77QmUPtjPfzWtF2AnpK9RQ');
  });
});
