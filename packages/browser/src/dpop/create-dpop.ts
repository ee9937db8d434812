import {
  DPoP,
  ResponseBodyError,
  WWWAuthenticateChallengeError,
  allowInsecureRequests,
  customFetch,
  isDPoPNonceError,
  protectedResourceRequest,
  type DPoPHandle,
} from 'oauth4webapi';
import { AuthError } from '../errors/auth-error.js';
import type { DPoPKey } from '../session/dpop-key.js';
import type { DPoPBinding } from './binding.js';

/** Token endpoint errors about the proof itself (RFC 9449 sections 5 and 8). */
const PROOF_ERRORS = ['invalid_dpop_proof', 'use_dpop_nonce'];

/**
 * A token answer that is not DPoP-bound although the request proved a key: the provider ignored the proof
 * (RFC 9449 section 5). Using it would quietly turn the login into a Bearer one, so it is refused.
 */
function isUnbound(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && 'token_type' in answer && answer.token_type !== 'dpop';
}

/** Runs `send`, and once more when the server answered that it wants a (fresh) DPoP nonce (RFC 9449 sections 8 and 9). */
async function withNonceRetry<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (!isDPoPNonceError(error)) throw error;
    return send();
  }
}

/**
 * DPoP (RFC 9449) for `createAuthClient({ dpop: createDPoP() })`: each login gets a new ES256 key pair whose
 * private key cannot be exported, the code exchange and every refresh carry a proof of it (so the tokens,
 * the refresh token included, are bound to it), and `fetch()` sends a proof with every call to `apiOrigins`.
 * Proofs and nonces are oauth4webapi's `DPoP` handle; one handle per key keeps the servers' latest nonces
 * for the page's life.
 */
export function createDPoP(): DPoPBinding {
  let current: { jkt: string; handle: DPoPHandle } | undefined;
  const handleOf = (key: DPoPKey) => {
    if (current?.jkt !== key.jkt) current = { jkt: key.jkt, handle: DPoP({}, key.keyPair) };
    return current.handle;
  };

  // A challenge is a normal answer to `fetch()` (the caller reads the 401); only the first nonce request is
  // thrown, to be retried.
  async function send(request: Request, accessToken: string, handle: DPoPHandle, last: boolean): Promise<Response> {
    try {
      return await protectedResourceRequest(accessToken, request.method, new URL(request.url), request.headers, null, {
        DPoP: handle,
        // oauth4webapi builds the proof (with `ath`) and `Authorization: DPoP`; the app's own request carries them.
        [customFetch]: (_url, init) => {
          for (const [name, value] of Object.entries(init.headers)) request.headers.set(name, value);
          return fetch(request);
        },
        // `apiOrigins` already decided where the token may go, http included, as it does for Bearer tokens.
        [allowInsecureRequests]: true,
      });
    } catch (error) {
      if (error instanceof WWWAuthenticateChallengeError && (last || !isDPoPNonceError(error))) return error.response;
      throw error;
    }
  }

  return {
    async createKey() {
      try {
        const keyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
        const handle = DPoP({}, keyPair);
        const jkt = await handle.calculateThumbprint();
        current = { jkt, handle };
        return { keyPair, jkt };
      } catch (cause) {
        throw new AuthError('dpop_unsupported', { cause });
      }
    },
    async tokenRequest(key, http, send) {
      if (!key) return send(http);
      const answer = await withNonceRetry(() => send({ ...http, DPoP: handleOf(key) })).catch((cause: unknown) => {
        if (cause instanceof ResponseBodyError && PROOF_ERRORS.includes(cause.error)) {
          throw new AuthError('dpop_rejected', { cause, oauthError: cause.error, oauthErrorDescription: cause.error_description });
        }
        throw cause;
      });
      if (isUnbound(answer)) throw new AuthError('dpop_unbound');
      return answer;
    },
    async fetch(request, { accessToken, dpop: key }) {
      // A session from before DPoP was turned on has Bearer tokens and no key.
      if (!key) {
        request.headers.set('authorization', `Bearer ${accessToken}`);
        return fetch(request);
      }
      const handle = handleOf(key);
      const spare = request.clone();
      try {
        return await send(request, accessToken, handle, false);
      } catch (error) {
        if (!isDPoPNonceError(error)) throw error;
        // The resource server asked for a nonce (401 `DPoP error="use_dpop_nonce"`); the handle took it from that answer.
        return send(spare, accessToken, handle, true);
      }
    },
  };
}
