import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthorizationServer } from 'oauth4webapi';
import { BffError } from '../errors.js';
import type { OAuth2RegisteredProvider } from '../registry/registry.js';
import type { ResolvedBackchannelLogout } from './backchannel-options.js';
import { LogoutTokenError, type LogoutTokenRefusal } from './logout-token-error.js';

/** Back-Channel Logout 1.0 section 2.4: the member of `events` that makes a JWT a logout token. */
const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * What a verified logout token ends: the provider's login session by its `sid`, else every session of
 * its `sub` (section 2.7), and the token's `jti`.
 */
interface LogoutTokenClaims {
  claim: 'sid' | 'sub';
  value: string;
  jti: string;
  /** When the provider ended the login, in its epoch seconds. */
  iat: number;
}

/** Verifies one provider's logout token, or throws `LogoutTokenError` (a refusal) or `BffError` (the provider's keys could not be read). */
export type LogoutTokenVerifier = (runtime: OAuth2RegisteredProvider, token: string) => Promise<LogoutTokenClaims>;

interface VerifierOptions extends ResolvedBackchannelLogout {
  /** Milliseconds since the epoch. */
  now: () => number;
}

/** jose's claim checks, by the claim that failed. */
const CLAIM_REFUSALS: Readonly<Record<string, LogoutTokenRefusal>> = {
  iss: 'logout_token_issuer_mismatch',
  aud: 'logout_token_audience_mismatch',
  iat: 'logout_token_iat_invalid',
  exp: 'logout_token_expired',
  nbf: 'logout_token_iat_invalid',
  jti: 'logout_token_jti_missing',
};

/** jose's refusals of the token itself; any other failure is the provider's keys (unreachable, unusable). */
function refusalOf(error: unknown): LogoutTokenRefusal | undefined {
  if (error instanceof errors.JWTExpired || error instanceof errors.JWTClaimValidationFailed) {
    return CLAIM_REFUSALS[error.claim] ?? 'logout_token_malformed';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'logout_token_alg_not_allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return 'logout_token_signature_invalid';
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
    return 'logout_token_malformed';
  }
  return undefined;
}

/** Section 2.4: `logout+jwt` is recommended, and a token without `typ` (or a plain `JWT`) is still one. */
function typeAccepted(typ: string | undefined): boolean {
  if (typ === undefined) return true;
  const type = typ.toLowerCase().replace(/^application\//, '');
  return type === 'logout+jwt' || type === 'jwt';
}

const optionalString = (value: unknown): value is string | undefined => value === undefined || (typeof value === 'string' && value !== '');

/** Section 2.6, steps 4 to 9, past what jose checked: events, subject, nonce, jti. */
function logoutClaims(payload: JWTPayload): LogoutTokenClaims {
  const events = payload.events;
  const event =
    typeof events === 'object' && events !== null && !Array.isArray(events)
      ? Object.getOwnPropertyDescriptor(events, LOGOUT_EVENT)?.value
      : undefined;
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new LogoutTokenError('logout_token_events_invalid', `The logout token's events claim has no ${LOGOUT_EVENT} object.`);
  }
  const { sid, sub, jti, iat } = payload;
  const ends = optionalString(sid) && optionalString(sub) ? (sid === undefined ? sub : sid) : undefined;
  if (ends === undefined) throw new LogoutTokenError('logout_token_subject_missing', 'The logout token names neither a sid nor a sub.');
  if (payload.nonce !== undefined) throw new LogoutTokenError('logout_token_nonce_present', 'A logout token must not carry a nonce.');
  if (typeof jti !== 'string' || jti === '') throw new LogoutTokenError('logout_token_jti_missing', 'The logout token has no jti.');
  // jose required a numeric iat already (maxTokenAge); checked again here for the type.
  if (typeof iat !== 'number') throw new LogoutTokenError('logout_token_iat_invalid', 'The logout token has no iat.');
  return { claim: sid === undefined ? 'sub' : 'sid', value: ends, jti, iat };
}

/**
 * Signature keys of one provider's metadata: the JWKS from its `jwks_uri` (fetched once, then again
 * only for an unknown `kid`, as jose's remote key set does), and for HS256/384/512 the client secret
 * (OpenID Connect Core section 10.1). A `jwks_uri` never downgrades discovery to plain HTTP.
 */
function keysOf(as: AuthorizationServer, runtime: OAuth2RegisteredProvider): JWTVerifyGetKey {
  const { config } = runtime;
  const jwksUri = as.jwks_uri === undefined ? undefined : new URL(as.jwks_uri);
  const metadataOverHttps = config.serverMetadataUrl !== undefined && new URL(config.serverMetadataUrl).protocol === 'https:';
  if (jwksUri === undefined || (metadataOverHttps && jwksUri.protocol !== 'https:')) {
    return () => {
      throw new BffError('upstream_error', 'The provider publishes no usable jwks_uri.');
    };
  }
  const jwks = createRemoteJWKSet(jwksUri, { timeoutDuration: config.clientKwargs.timeoutMs });
  const secret = config.clientSecret === undefined ? undefined : new TextEncoder().encode(config.clientSecret);
  return (header, token) => (header.alg.startsWith('HS') && secret !== undefined ? secret : jwks(header, token));
}

/** The algorithms the provider signs ID tokens with (discovery's list, `RS256` when it has none), never `none`. */
function algorithmsOf(as: AuthorizationServer, runtime: OAuth2RegisteredProvider): string[] {
  const listed = as.id_token_signing_alg_values_supported ?? ['RS256'];
  return listed.filter((alg) => alg !== 'none' && (!alg.startsWith('HS') || runtime.config.clientSecret !== undefined));
}

/**
 * Logout token validation, OpenID Connect Back-Channel Logout 1.0 section 2.6, with jose: the signature
 * against the provider's keys and algorithms from its discovery metadata, `iss` its issuer, `aud` our
 * client id, `iat` present and within `maxTokenAgeSeconds`, `exp` when present, then `typ`, `events`,
 * `sid` or `sub`, no `nonce`, and a `jti` (whose replay the caller refuses).
 */
export function createLogoutTokenVerifier(options: VerifierOptions): LogoutTokenVerifier {
  // Keyed by the metadata object, which a provider's metadata source keeps until discovery runs again.
  const keys = new WeakMap<AuthorizationServer, JWTVerifyGetKey>();
  return async (runtime, token) => {
    const as = await runtime.oauth2.metadata.get();
    let getKey = keys.get(as);
    if (getKey === undefined) {
      getKey = keysOf(as, runtime);
      keys.set(as, getKey);
    }
    let verified: Awaited<ReturnType<typeof jwtVerify>>;
    try {
      verified = await jwtVerify(token, getKey, {
        issuer: as.issuer,
        audience: runtime.config.clientId,
        algorithms: algorithmsOf(as, runtime),
        maxTokenAge: options.maxTokenAgeSeconds,
        clockTolerance: options.clockToleranceSeconds,
        currentDate: new Date(options.now()),
        requiredClaims: ['jti'],
      });
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal !== undefined) throw new LogoutTokenError(refusal, 'The logout token failed its JWT checks.', { cause: error });
      if (error instanceof BffError) throw error;
      throw new BffError('upstream_error', "The provider's signing keys could not be read.", { cause: error });
    }
    if (!typeAccepted(verified.protectedHeader.typ)) {
      throw new LogoutTokenError('logout_token_type_invalid', 'The logout token has a typ other than logout+jwt.');
    }
    return logoutClaims(verified.payload);
  };
}
