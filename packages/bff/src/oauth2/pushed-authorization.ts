import * as oauth from 'oauth4webapi';
import { BffError } from '../errors.js';
import { ProviderAnswerError } from '../http/failure-cause.js';
import type { DPoPKey } from '../dpop/dpop-key.js';
import { dpopOption, withDPoPNonceRetry } from './dpop-grant.js';

/**
 * Whether the authorization request is pushed (RFC 9126): always when the provider requires it
 * (section 5), never when `setting` is `false`, always when it is `true`, else when the provider has
 * an endpoint for it.
 */
export function pushesAuthorizationRequest(as: oauth.AuthorizationServer, setting: boolean | undefined): boolean {
  if (as.require_pushed_authorization_requests === true) return true;
  return setting ?? as.pushed_authorization_request_endpoint !== undefined;
}

/** A refusal (a JSON error, or a `WWW-Authenticate` challenge at 401) under a check of its own; a network failure as it is. */
function refusal(error: unknown): unknown {
  if (error instanceof oauth.ResponseBodyError) {
    return new ProviderAnswerError('pushed_authorization_refused', { httpStatus: error.status, providerError: error.error });
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const providerError = error.cause.map((challenge) => challenge.parameters.error).find((value) => value !== undefined);
    return new ProviderAnswerError('pushed_authorization_refused', {
      httpStatus: error.status,
      ...(providerError === undefined ? {} : { providerError }),
    });
  }
  return error;
}

/**
 * What pushing needs besides the parameters: the client, how it authenticates, the shared request options,
 * and the login's DPoP key, whose proof binds the code to it (RFC 9449 section 10.1).
 */
export interface PushContext {
  client: oauth.Client;
  auth: oauth.ClientAuth;
  options: oauth.PushedAuthorizationRequestOptions;
  dpop: DPoPKey | undefined;
}

/**
 * RFC 9126 section 2: posts the authorization request's parameters to the pushed authorization request
 * endpoint, authenticated as at the token endpoint, and returns the authorization URL the browser follows:
 * `client_id` and `request_uri` only (section 4). A refusal or a missing endpoint is `login_failed`, before
 * anything of the login was stored.
 */
export async function pushAuthorizationRequest(
  as: oauth.AuthorizationServer,
  authorizationEndpoint: string,
  parameters: URLSearchParams,
  { client, auth, options, dpop }: PushContext,
): Promise<URL> {
  let requestUri: string;
  try {
    if (as.pushed_authorization_request_endpoint === undefined) throw new ProviderAnswerError('pushed_authorization_endpoint_missing');
    const pushed = await withDPoPNonceRetry(dpop, async () => {
      const response = await oauth.pushedAuthorizationRequest(as, client, auth, parameters, { ...options, ...dpopOption(dpop) });
      return oauth.processPushedAuthorizationResponse(as, client, response);
    });
    requestUri = pushed.request_uri;
  } catch (error) {
    throw new BffError('login_failed', 'The provider refused the login request.', { cause: refusal(error) });
  }
  const url = new URL(authorizationEndpoint);
  url.searchParams.set('client_id', client.client_id);
  url.searchParams.set('request_uri', requestUri);
  return url;
}
