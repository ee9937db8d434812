import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets (client secrets, PKCE challenges, verifiers, passwords, the admin token) without
 * leaking, through timing, where they differ or how long they are. `timingSafeEqual` throws on buffers of
 * different lengths, so both sides are hashed to a fixed length first; the length check after it only
 * rejects the astronomically unlikely hash collision.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && Buffer.byteLength(a) === Buffer.byteLength(b);
}
