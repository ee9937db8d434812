import type { BffProtocol, BffUser } from '@latchkey/common';
import type { OAuthToken } from './token.js';

/** One provider linked to a session. */
export interface SessionConnection {
  protocol: BffProtocol;
  token: OAuthToken;
  /** Epoch seconds. */
  linkedAt: number;
}

/** What the BFF keeps in a server-side session (sealed at rest). */
export interface BffSessionData {
  user: BffUser | null;
  connections: Record<string, SessionConnection>;
}

export function emptySessionData(): BffSessionData {
  return { user: null, connections: {} };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Accepts stored data only in the shape the BFF writes; anything else counts as no session. The record
 * was sealed by the BFF itself (AES-GCM), so past the outer shape its fields are the ones it wrote.
 */
export function asSessionData(value: unknown): BffSessionData | undefined {
  if (!isRecord(value) || !isRecord(value.connections)) return undefined;
  const { user, connections } = value;
  if (user !== null && !isRecord(user)) return undefined;
  return { user: user as BffUser | null, connections: connections as Record<string, SessionConnection> };
}
