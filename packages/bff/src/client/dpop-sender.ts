import type { Dispatcher } from 'undici';
import type { ProtectedRequest } from '../config/client-config.js';
import type { DPoPKeys, DPoPPrivateJwk } from '../dpop/dpop-key.js';
import { signDPoPProof } from '../dpop/dpop-proof.js';
import { asksForNonce, createResourceNonces } from '../dpop/resource-nonces.js';
import type { UpstreamSignal } from '../api/remote-client.js';
import type { UpstreamPools } from './upstream.js';

/** Sends an API request whose DPoP-bound token is already attached, with a proof of the token's key. */
export type DPoPSender = (
  request: ProtectedRequest,
  token: { accessToken: string; dpopKey: DPoPPrivateJwk },
  timeoutMs: number,
  signal: UpstreamSignal | undefined,
) => Promise<Dispatcher.ResponseData>;

/**
 * RFC 9449 section 7: each request gets a fresh proof for its method and URL, signed as it leaves (after
 * any `protectedRequest` hook, so the proof names what is sent). A resource server that answers
 * `use_dpop_nonce` (section 9) is asked once more with the nonce it gave, which is kept for its origin:
 * request bodies are buffered, so sending one again is safe.
 */
export function createDPoPSender(pools: UpstreamPools, keys: DPoPKeys, now: () => number): DPoPSender {
  const nonces = createResourceNonces();
  return async (request, token, timeoutMs, signal) => {
    const key = await keys.of(token.dpopKey);
    const { url } = request;
    const origin = url.origin;
    const send = async () => {
      const proof = await signDPoPProof(key, {
        method: request.method,
        url,
        accessToken: token.accessToken,
        nonce: nonces.get(origin),
        now: Math.floor(now() / 1000),
      });
      const headers = { ...request.headers, dpop: proof };
      const sent = { method: request.method, origin, path: `${url.pathname}${url.search}`, headers };
      const response = await pools.request(request.body === undefined ? sent : { ...sent, body: request.body }, timeoutMs, signal);
      nonces.learn(origin, response.headers);
      return response;
    };
    const first = await send();
    if (!asksForNonce(first.statusCode, first.headers)) return first;
    await first.body.dump();
    return send();
  };
}
