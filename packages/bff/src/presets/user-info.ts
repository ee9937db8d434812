import type { BffUser } from '@latchkey/common';
import type { IDToken } from 'oauth4webapi';
import { BffError } from '../errors.js';
import type { UserInfoInput, UserInfoMapper } from '../config/client-config.js';
import { userFromClaims } from '../userinfo.js';

/** What a mapping may return: the standard claims, with absent values left out. */
export type UserClaims = { sub: string } & { [K in Exclude<keyof BffUser, 'sub'>]?: BffUser[K] | undefined };

const given = <T>(value: T | undefined): value is T => value !== undefined && value !== null && value !== '';

/** Drops undefined and empty values, so a mapped user carries only what the provider gave. */
export function compactUser(claims: UserClaims): BffUser {
  const { sub, name, email, email_verified, preferred_username, picture, profile } = claims;
  return {
    sub,
    ...(given(name) ? { name } : {}),
    ...(given(email) ? { email } : {}),
    ...(given(email_verified) ? { email_verified } : {}),
    ...(given(preferred_username) ? { preferred_username } : {}),
    ...(given(picture) ? { picture } : {}),
    ...(given(profile) ? { profile } : {}),
  };
}

const accountError = (provider: string, cause: unknown) =>
  new BffError('login_failed', `The ${provider} account could not be read.`, { cause });

export interface ApiJsonOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  params?: Record<string, string>;
}

/**
 * Calls the provider's API with the token just issued (under `apiBaseUrl`, so `protectedRequest`
 * fixes such as a `User-Agent` apply) and parses the JSON answer. A non-2xx answer fails the login
 * with `login_failed`, naming the status but never the token.
 */
export async function apiJson<T>(input: UserInfoInput, path: string, options: ApiJsonOptions = {}): Promise<T> {
  const response = await input.client.request(options.method ?? 'GET', path, {
    token: input.token,
    headers: { accept: 'application/json', ...options.headers },
    ...(options.params === undefined ? {} : { params: options.params }),
  });
  if (response.status < 200 || response.status >= 300) {
    await response.body.dump();
    throw accountError(input.provider, new Error(`HTTP ${response.status} from ${path.split('?')[0] ?? path}`));
  }
  try {
    return await response.json<T>();
  } catch (cause) {
    throw accountError(input.provider, cause);
  }
}

/** As `apiJson`, but a refusal (a scope the user did not grant) gives `undefined` instead of failing. */
export async function optionalApiJson<T>(input: UserInfoInput, path: string, options: ApiJsonOptions = {}): Promise<T | undefined> {
  const response = await input.client.request(options.method ?? 'GET', path, {
    token: input.token,
    headers: { accept: 'application/json', ...options.headers },
  });
  if (response.status === 401 || response.status === 403 || response.status === 404) {
    await response.body.dump();
    return undefined;
  }
  if (response.status < 200 || response.status >= 300) {
    await response.body.dump();
    throw accountError(input.provider, new Error(`HTTP ${response.status} from ${path}`));
  }
  try {
    return await response.json<T>();
  } catch (cause) {
    throw accountError(input.provider, cause);
  }
}

/**
 * Calls a URL outside what the API client may reach (such as Discord's `users/@me`, whose `@` the
 * proxy path rules refuse) with the new access token, and parses the JSON answer.
 */
export async function bearerJson<T>(input: UserInfoInput, url: string, timeoutMs = 10_000): Promise<T> {
  if (input.token.kind !== 'oauth2') throw accountError(input.provider, new Error('an OAuth 2 token is needed'));
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${input.token.accessToken}`, accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    throw accountError(input.provider, cause);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw accountError(input.provider, new Error(`HTTP ${response.status} from ${new URL(url).pathname}`));
  }
  try {
    return (await response.json()) as T;
  } catch (cause) {
    throw accountError(input.provider, cause);
  }
}

/**
 * Maps the id_token claims (already validated by the code exchange: issuer, audience, nonce) to the
 * user, with `adjust` for a provider's own claims. Saves a userinfo call for providers that put the
 * profile claims in the id_token.
 */
export function idTokenUser(adjust?: (claims: IDToken, user: BffUser) => BffUser): UserInfoMapper {
  return async (input) => {
    const claims = input.idTokenClaims;
    if (claims === undefined) return null;
    const user = userFromClaims(claims);
    if (user === null) return null;
    return adjust === undefined ? user : adjust(claims, user);
  };
}

/** A string claim, or undefined. */
export function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Numeric ids (GitHub, GitLab) become strings, as `sub` is a string (OIDC Core section 5.1). */
function idField(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return stringField(value);
}

/** The account's id as `sub`; an answer without one fails the login rather than logging in nobody. */
export function subjectOf(input: UserInfoInput, value: unknown): string {
  const id = idField(value);
  if (id === undefined) throw accountError(input.provider, new Error('the account has no id'));
  return id;
}

/** A boolean claim some providers send as the string `"true"` or `"false"`. */
export function booleanClaim(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}
