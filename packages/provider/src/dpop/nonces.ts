/**
 * Server-provided DPoP nonces (RFC 9449 section 8 and 9): one current nonce, replaced every rotation
 * period; the previous one stays acceptable for one more period, so a client that fetched a nonce just
 * before a rotation is not refused. Held in memory: each provider instance has its own, and a client
 * sent to another instance is simply told that one's nonce (`use_dpop_nonce`) and retries.
 */
import { randomBytes } from 'node:crypto';

export interface DpopNonces {
  /** The nonce to hand out now. */
  current(): string;
  /** Whether a proof's `nonce` is the current or the previous one. */
  accepts(nonce: string): boolean;
  /** Replaces the current nonce at once (the previous one becomes the old current); returns the new one. */
  rotate(): string;
}

const newNonce = () => randomBytes(24).toString('base64url');

export function createDpopNonces(options: { now(): number; rotationSeconds: number }): DpopNonces {
  const periodMs = options.rotationSeconds * 1000;
  let current = newNonce();
  let previous: string | undefined;
  let rotatedAt = options.now();

  const rotate = () => {
    previous = current;
    current = newNonce();
    rotatedAt = options.now();
    return current;
  };
  // Rotation happens on use, so nothing runs in the background; two periods without use forget both.
  const catchUp = () => {
    const elapsed = options.now() - rotatedAt;
    if (elapsed < periodMs) return;
    rotate();
    if (elapsed >= 2 * periodMs) previous = undefined;
  };

  return {
    current() {
      catchUp();
      return current;
    },
    accepts(nonce) {
      catchUp();
      return nonce === current || (previous !== undefined && nonce === previous);
    },
    rotate,
  };
}
