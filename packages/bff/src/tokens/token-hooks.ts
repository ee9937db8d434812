import type { Context } from 'koa';
import type { OAuth2Token, OAuthToken } from './token.js';

/** Old credentials handed to `updateToken`, so an app can find the row to update (Authlib's hook). */
export interface PreviousToken {
  refreshToken?: string;
  accessToken?: string;
}

/** Loads a token for API calls made outside a BFF session (e.g. from the app's database). */
export type FetchToken = (provider: string, ctx: Context | undefined) => Promise<OAuthToken | null | undefined>;
/** Called once per successful refresh with the new token. */
export type UpdateToken = (provider: string, token: OAuth2Token, previous: PreviousToken, ctx: Context | undefined) => Promise<void> | void;
