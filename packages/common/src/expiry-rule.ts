/**
 * When to refresh an access token, shared by the browser SDK (milliseconds) and the BFF (seconds): any
 * unit, as long as every argument uses the same one.
 *
 * A token is refreshed `skew` before it expires, but never earlier than half-way through its lifetime.
 * Without that bound a token that lives shorter than the skew (a 3-second token against a 60-second skew)
 * would look "expiring" from the moment it is issued, and every caller that sees it would refresh it again.
 */

/** An access token's lifetime, as far as it is known. */
export interface TokenLifetime {
  /** When it expires. */
  expiresAt: number;
  /** When it was issued (received); unknown for tokens stored before it was recorded. */
  issuedAt?: number | undefined;
}

/** The instant from which a token is due for refresh: `expiresAt - min(skew, lifetime / 2)`. */
export function refreshDueAt(token: TokenLifetime, skew: number): number {
  const lifetime = token.issuedAt === undefined ? Number.POSITIVE_INFINITY : token.expiresAt - token.issuedAt;
  return token.expiresAt - Math.max(0, Math.min(skew, lifetime / 2));
}

/** True when a token is due for refresh at `now`. */
export function isRefreshDue(token: TokenLifetime, now: number, skew: number): boolean {
  return now >= refreshDueAt(token, skew);
}
