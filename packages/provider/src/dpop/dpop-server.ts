import type { Context } from 'koa';
import type { ResolvedDpopOptions } from '../options.js';
import type { ProviderContext } from '../provider-context.js';
import { createDpopNonces } from './nonces.js';
import { verifyDpopProof } from './verify-proof.js';

/** DPoP (RFC 9449) as the token endpoint and the protected resources see it. */
export interface DpopServer {
  /**
   * Verifies the request's `DPoP` header, if any, and returns its key's thumbprint (`undefined` without
   * one). Answers an older, still accepted nonce with the current one in `DPoP-Nonce` (section 8.2).
   * `origin` is where clients address the request (default: the issuer's), for `htu`.
   */
  verify(ctx: Context, accessToken?: string, origin?: string): Promise<string | undefined>;
  /** Starts a new nonce now; the one before stays accepted until the next rotation. Returns the new one. */
  rotateNonce(): string;
}

export function createDpopServer(context: ProviderContext, options: ResolvedDpopOptions): DpopServer {
  const nonces = createDpopNonces({ now: context.now, rotationSeconds: options.nonceRotationSeconds });
  // The URL as clients address it: the issuer's origin, as for OAuth 1 signatures behind a proxy.
  const issuerOrigin = new URL(context.issuer).origin;
  const checks = {
    storage: context.storage,
    now: context.now,
    iatWindowSeconds: options.iatWindowSeconds,
    nonces: options.requireNonce ? nonces : undefined,
  };
  return {
    async verify(ctx, accessToken, origin = issuerOrigin) {
      const proof = ctx.get('dpop');
      if (proof === '') return undefined;
      const verified = await verifyDpopProof({ proof, method: ctx.method, url: `${origin}${ctx.path}`, accessToken }, checks);
      if (verified.staleNonce) ctx.set('dpop-nonce', nonces.current());
      return verified.jkt;
    },
    rotateNonce: () => nonces.rotate(),
  };
}
