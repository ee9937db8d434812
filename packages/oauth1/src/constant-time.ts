import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets without leaking, through timing, where they differ or how long they are.
 * `timingSafeEqual` throws on buffers of different lengths, so both sides are hashed to a fixed
 * length first; the final length check only rejects the astronomically unlikely hash collision.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  const sameLength = Buffer.byteLength(a) === Buffer.byteLength(b);
  return timingSafeEqual(left, right) && sameLength;
}
