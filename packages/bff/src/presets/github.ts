import type { ClientConfig } from '../config/client-config.js';
import {
  bearerTokenType,
  composeResponseFixes,
  errorInOkResponse,
  numericExpiresIn,
  spaceDelimitedScope,
  tokenAndRequestFixes,
  tokenResponseAsJson,
  userAgentHeader,
} from './compliance.js';
import { baseUrlOption, buildPreset, joinUrl, type PresetOptions } from './define-preset.js';
import { primaryVerifiedEmail, type ListedEmail } from './emails.js';
import { apiJson, compactUser, optionalApiJson, stringField, subjectOf } from './user-info.js';

export interface GitHubOptions extends PresetOptions {
  /** GitHub Enterprise Server's URL, e.g. `https://github.example.com`. Default `https://github.com`. */
  baseUrl?: string;
  /** `User-Agent` of API calls; GitHub refuses calls without one. Default `latchkey-bff`. */
  userAgent?: string;
}

/** `GET /user` (https://docs.github.com/en/rest/users/users#get-the-authenticated-user). */
interface GitHubUser {
  id: number;
  login: string;
  name: string | null;
  email: string | null;
  avatar_url: string;
  html_url: string;
}

/**
 * GitHub OAuth apps (https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps).
 * The authorization request takes space-delimited scopes, as documented. Deviations fixed: a
 * form-encoded token response unless JSON is asked for (with `expires_in` as a string), a comma-delimited
 * `scope` in it (`read:user,user:email`), lower-case `token_type`, errors such as `bad_verification_code`
 * with HTTP 200, and a required `User-Agent` on API calls. The email comes from `/user/emails` (the primary verified address), since `/user` shows
 * only a public one.
 */
export function github(options: GitHubOptions = {}): ClientConfig {
  const { baseUrl, userAgent, ...common } = options;
  const web = baseUrl === undefined ? 'https://github.com' : baseUrlOption('baseUrl', baseUrl);
  const api = baseUrl === undefined ? 'https://api.github.com' : joinUrl(web, 'api/v3');
  return buildPreset(
    {
      displayName: 'GitHub',
      endpoints: {
        authorizeUrl: joinUrl(web, 'login/oauth/authorize'),
        accessTokenUrl: joinUrl(web, 'login/oauth/access_token'),
        apiBaseUrl: api,
      },
      defaultScopes: ['read:user', 'user:email'],
      scopeDelimiter: ' ',
      tokenEndpointAuthMethod: 'client_secret_post',
      complianceFix: tokenAndRequestFixes(
        composeResponseFixes(tokenResponseAsJson, errorInOkResponse, bearerTokenType, numericExpiresIn, spaceDelimitedScope),
        userAgentHeader(userAgent ?? 'latchkey-bff'),
      ),
      async userInfo(input) {
        const [user, emails] = await Promise.all([
          apiJson<GitHubUser>(input, 'user'),
          // Needs the user:email scope; without it, fall back to the public address.
          optionalApiJson<ListedEmail[]>(input, 'user/emails'),
        ]);
        const verified = Array.isArray(emails) ? primaryVerifiedEmail(emails) : undefined;
        return compactUser({
          sub: subjectOf(input, user.id),
          name: stringField(user.name),
          email: verified ?? stringField(user.email),
          email_verified: verified === undefined ? undefined : true,
          preferred_username: stringField(user.login),
          picture: stringField(user.avatar_url),
          profile: stringField(user.html_url),
        });
      },
    },
    common,
  );
}
