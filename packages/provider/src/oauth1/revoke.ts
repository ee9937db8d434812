import type { ProviderContext } from '../provider-context.js';
import { tokenKey } from './credentials.js';

/** Revokes OAuth 1.0a token credentials (they never expire on their own); true when the token existed. */
export function revokeOAuth1Token(context: Pick<ProviderContext, 'storage'>, token: string): Promise<boolean> {
  return context.storage.delete(tokenKey(token));
}
