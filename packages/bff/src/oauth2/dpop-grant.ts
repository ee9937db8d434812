import * as oauth from 'oauth4webapi';
import { ProviderAnswerError } from '../http/failure-cause.js';
import type { DPoPKey } from '../dpop/dpop-key.js';

/**
 * Runs a token endpoint or userinfo exchange, and once more when the server asked for a DPoP nonce
 * (RFC 9449 section 8 and 9): oauth4webapi's handle kept the `DPoP-Nonce` of the refusal, so the second
 * proof carries it. A request refused for a nonce was not processed, so a code or refresh token is still good.
 */
export async function withDPoPNonceRetry<T>(dpop: DPoPKey | undefined, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (dpop === undefined || !oauth.isDPoPNonceError(error)) throw error;
    return attempt();
  }
}

/**
 * RFC 9449 section 5: a client that sent a proof MUST check the answer's `token_type` is `DPoP`; a
 * bearer token where a bound one was asked for would travel unbound.
 */
export function checkDPoPTokenType(dpop: DPoPKey | undefined, result: oauth.TokenEndpointResponse): void {
  if (dpop !== undefined && result.token_type !== 'dpop') throw new ProviderAnswerError('dpop_token_type_mismatch');
}

/** The handle as oauth4webapi's request options take it. */
export const dpopOption = (dpop: DPoPKey | undefined): oauth.DPoPRequestOptions => (dpop === undefined ? {} : { DPoP: dpop.handle });
