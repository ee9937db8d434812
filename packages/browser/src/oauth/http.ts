import { allowInsecureRequests, customFetch, type CustomFetchOptions } from 'oauth4webapi';
import { AuthError } from '../errors/auth-error.js';

/**
 * Options for every oauth4webapi request: a fetch that turns a transport failure into `network_error`
 * (so "the provider is down" is told apart from "the provider said no"), and the loopback escape hatch.
 */
export interface OAuthHttp {
  [customFetch]: (url: string, init: CustomFetchOptions<string, unknown>) => Promise<Response>;
  [allowInsecureRequests]: boolean;
}

export function httpOptions(insecure: boolean): OAuthHttp {
  return {
    [customFetch]: (url, init) =>
      fetch(url, init as RequestInit).catch((cause: unknown) => {
        throw new AuthError('network_error', { cause });
      }),
    // oauth4webapi marks this deprecated so that it stands out; it is opt-in and named dangerous here.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    [allowInsecureRequests]: insecure,
  };
}
