import { randomBytes } from 'node:crypto';
import type { ResolvedLifetimes } from '../options.js';
import type { ProviderContext } from '../provider-context.js';
import { generateOpaqueToken, hashToken } from './opaque.js';
import type { AccessTokenRecord, AuthorizationCodeRecord, RefreshTokenRecord } from './records.js';

// Storage keys hold sha256 hashes of codes and tokens, never the values themselves.
const keys = {
  code: (hash: string) => `oauth2:code:${hash}`,
  codeGrant: (hash: string) => `oauth2:code-grant:${hash}`,
  codeUsed: (hash: string) => `oauth2:code-used:${hash}`,
  revokedGrant: (grantId: string) => `oauth2:revoked-grant:${grantId}`,
  access: (hash: string) => `oauth2:access:${hash}`,
  refresh: (hash: string) => `oauth2:refresh:${hash}`,
  refreshSeen: (hash: string) => `oauth2:refresh-seen:${hash}`,
};

type RevocationReason = 'revocation' | 'code_replay' | 'refresh_reuse';

interface IssueTokensInput {
  clientId: string;
  sub: string | null;
  /** Scopes of the access token. */
  scopes: string[];
  grantId: string | null;
  /** The DPoP key the access token is bound to (RFC 9449 section 6). */
  jkt?: string | undefined;
  /** When given, a refresh token with these scopes is issued too (needs `grantId` and `sub`); `jkt` binds it. */
  refresh?: { scopes: string[]; authTime: number; sid?: string | undefined; jkt?: string | undefined } | undefined;
}

export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken?: string;
}

type CodeRedemption =
  | { kind: 'ok'; code: AuthorizationCodeRecord }
  /** Unknown, expired or already used; `replayedGrantId` is set when it was presented before (RFC 6749 section 4.1.2). */
  | { kind: 'invalid'; replayedGrantId: string | null };

type RefreshRedemption =
  | { kind: 'ok'; token: RefreshTokenRecord }
  | { kind: 'invalid' }
  /** A rotated refresh token came back: someone holds a copy (RFC 9700 section 4.14.2). */
  | { kind: 'reused'; grantId: string };

export interface TokenService {
  newGrantId(): string;
  issueCode(record: Omit<AuthorizationCodeRecord, 'expiresAt'>): Promise<string>;
  redeemCode(code: string): Promise<CodeRedemption>;
  isGrantRevoked(grantId: string): Promise<boolean>;
  revokeGrant(grantId: string, clientId: string, reason: RevocationReason): Promise<void>;
  issueTokens(input: IssueTokensInput): Promise<IssuedTokens>;
  /** The live access token's record, or `null` (unknown, expired, or its grant revoked). */
  findAccessToken(token: string): Promise<AccessTokenRecord | null>;
  /** The live refresh token's record without using it up, or `null`. */
  findRefreshToken(token: string): Promise<RefreshTokenRecord | null>;
  /** Uses a refresh token up: exactly one concurrent caller gets `ok`. */
  redeemRefreshToken(token: string): Promise<RefreshRedemption>;
  /** Puts a redeemed refresh token back for the rest of its lifetime, when its successor could not be issued. */
  restoreRefreshToken(token: string, record: RefreshTokenRecord): Promise<void>;
  revokeAccessToken(token: string): Promise<void>;
}

export function createTokenService(context: ProviderContext, lifetimes: ResolvedLifetimes): TokenService {
  const { storage } = context;
  const nowSeconds = () => Math.floor(context.now() / 1000);
  // A revoked grant stays marked for as long as any token issued before the revocation can live.
  const revocationTtl = lifetimes.refreshToken + lifetimes.accessToken;

  const isGrantRevoked = async (grantId: string) => (await storage.get<true>(keys.revokedGrant(grantId))) === true;

  return {
    newGrantId: () => randomBytes(16).toString('base64url'),

    async issueCode(record) {
      const code = generateOpaqueToken();
      const hash = hashToken(code);
      const expiresAt = nowSeconds() + lifetimes.authorizationCode;
      // The code's grant id outlives the code, so a replay after redemption can still find what it issued.
      await storage.set(keys.codeGrant(hash), record.grantId, revocationTtl);
      await storage.set(keys.code(hash), { ...record, expiresAt }, lifetimes.authorizationCode);
      return code;
    },

    async redeemCode(code) {
      const hash = hashToken(code);
      // The grant id outlives the code; without it the code was never issued (nothing is written for junk).
      const grantId = await storage.get<string>(keys.codeGrant(hash));
      if (grantId === undefined) return { kind: 'invalid', replayedGrantId: null };
      // The atomic single-use gate: exactly one presentation of a code is the first, even concurrently,
      // and every later one counts as a replay however far the first has got.
      const firstUse = await storage.add(keys.codeUsed(hash), true, revocationTtl);
      const record = await storage.take<AuthorizationCodeRecord>(keys.code(hash));
      if (!firstUse) return { kind: 'invalid', replayedGrantId: grantId };
      if (!record || record.expiresAt <= nowSeconds()) return { kind: 'invalid', replayedGrantId: null };
      return { kind: 'ok', code: record };
    },

    isGrantRevoked,

    async revokeGrant(grantId, clientId, reason) {
      await storage.set(keys.revokedGrant(grantId), true, revocationTtl);
      context.emit({ type: 'token_revoked', clientId, reason });
    },

    async issueTokens(input) {
      const issuedAt = nowSeconds();
      const accessToken = generateOpaqueToken();
      const access: AccessTokenRecord = {
        clientId: input.clientId,
        sub: input.sub,
        scopes: [...input.scopes],
        grantId: input.grantId,
        ...(input.jkt === undefined ? {} : { jkt: input.jkt }),
        issuedAt,
        expiresAt: issuedAt + lifetimes.accessToken,
      };
      await storage.set(keys.access(hashToken(accessToken)), access, lifetimes.accessToken);
      const issued: IssuedTokens = { accessToken, expiresIn: lifetimes.accessToken };
      if (input.refresh && input.grantId !== null && input.sub !== null) {
        const refreshToken = generateOpaqueToken();
        const hash = hashToken(refreshToken);
        const refresh: RefreshTokenRecord = {
          clientId: input.clientId,
          sub: input.sub,
          scopes: [...input.refresh.scopes],
          grantId: input.grantId,
          authTime: input.refresh.authTime,
          ...(input.refresh.sid === undefined ? {} : { sid: input.refresh.sid }),
          ...(input.refresh.jkt === undefined ? {} : { jkt: input.refresh.jkt }),
          issuedAt,
          expiresAt: issuedAt + lifetimes.refreshToken,
        };
        try {
          await storage.set(keys.refreshSeen(hash), input.grantId, lifetimes.refreshToken);
          await storage.set(keys.refresh(hash), refresh, lifetimes.refreshToken);
        } catch (error) {
          // Nothing half-written (a full store refuses a write): the access token was never handed out.
          await Promise.allSettled([storage.delete(keys.access(hashToken(accessToken))), storage.delete(keys.refreshSeen(hash))]);
          throw error;
        }
        issued.refreshToken = refreshToken;
      }
      return issued;
    },

    async findAccessToken(token) {
      const record = await storage.get<AccessTokenRecord>(keys.access(hashToken(token)));
      if (!record || record.expiresAt <= nowSeconds()) return null;
      if (record.grantId !== null && (await isGrantRevoked(record.grantId))) return null;
      return record;
    },

    async findRefreshToken(token) {
      const record = await storage.get<RefreshTokenRecord>(keys.refresh(hashToken(token)));
      if (!record || record.expiresAt <= nowSeconds()) return null;
      if (await isGrantRevoked(record.grantId)) return null;
      return record;
    },

    async redeemRefreshToken(token) {
      const hash = hashToken(token);
      const record = await storage.take<RefreshTokenRecord>(keys.refresh(hash));
      if (record) {
        if (record.expiresAt <= nowSeconds() || (await isGrantRevoked(record.grantId))) return { kind: 'invalid' };
        return { kind: 'ok', token: record };
      }
      const grantId = await storage.get<string>(keys.refreshSeen(hash));
      return grantId === undefined ? { kind: 'invalid' } : { kind: 'reused', grantId };
    },

    async restoreRefreshToken(token, record) {
      const remaining = record.expiresAt - nowSeconds();
      if (remaining > 0) await storage.set(keys.refresh(hashToken(token)), record, remaining);
    },

    async revokeAccessToken(token) {
      await storage.delete(keys.access(hashToken(token)));
    },
  };
}
