import type { ClientConfig } from '../config/client-config.js';
import { bearerTokenType, composeResponseFixes, tokenAndRequestFixes } from './compliance.js';
import { buildPreset, type PresetOptions } from './define-preset.js';
import { apiJson, compactUser, stringField, subjectOf } from './user-info.js';

/** `GET /2/users/me` (https://docs.x.com/x-api/users/user-lookup-me). */
interface XUserResponse {
  data?: { id: string; name?: string; username?: string; profile_image_url?: string };
}

const profileUrl = (username: string | undefined) => (username === undefined ? undefined : `https://x.com/${encodeURIComponent(username)}`);

/**
 * X (Twitter) with OAuth 2.0 and PKCE (https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code).
 * A confidential client must authenticate with HTTP Basic of the raw `client_id:client_secret` at the
 * token endpoint (not form-encoded first); a public client sets `clientKwargs.tokenEndpointAuthMethod:
 * 'none'`. `offline.access` brings a refresh token.
 */
export function twitter(options: PresetOptions = {}): ClientConfig {
  return buildPreset(
    {
      displayName: 'X',
      endpoints: {
        authorizeUrl: 'https://x.com/i/oauth2/authorize',
        accessTokenUrl: 'https://api.x.com/2/oauth2/token',
        revokeTokenUrl: 'https://api.x.com/2/oauth2/revoke',
        apiBaseUrl: 'https://api.x.com/2',
      },
      defaultScopes: ['tweet.read', 'users.read', 'offline.access'],
      scopeDelimiter: ' ',
      tokenEndpointAuthMethod: 'client_secret_basic',
      allowedAuthMethods: ['client_secret_basic', 'none'],
      basicAuthEncoding: 'none',
      complianceFix: tokenAndRequestFixes(composeResponseFixes(bearerTokenType)),
      async userInfo(input) {
        const { data } = await apiJson<XUserResponse>(input, 'users/me', { params: { 'user.fields': 'profile_image_url' } });
        const username = stringField(data?.username);
        return compactUser({
          sub: subjectOf(input, data?.id),
          name: stringField(data?.name),
          preferred_username: username,
          picture: stringField(data?.profile_image_url),
          profile: profileUrl(username),
        });
      },
    },
    options,
  );
}

/** `GET /1.1/account/verify_credentials.json` (https://docs.x.com/x-api/v1/accounts-and-users/manage-account-settings-and-profile/api-reference/get-account-verify_credentials). */
interface XAccount {
  id_str: string;
  name?: string;
  screen_name?: string;
  email?: string;
  profile_image_url_https?: string;
}

/**
 * X (Twitter) with OAuth 1.0a, "Sign in with X" (https://docs.x.com/resources/fundamentals/authentication/oauth-1-0a/obtaining-user-access-tokens).
 * `clientId` / `clientSecret` are the consumer key and secret. A refusal comes back as `?denied=`,
 * which the BFF reports as `authorization_denied`. The email needs the app's "Request email" setting.
 */
export function twitterOAuth1(options: Omit<PresetOptions, 'scopes'> = {}): ClientConfig {
  return buildPreset(
    {
      displayName: 'X',
      endpoints: {
        requestTokenUrl: 'https://api.x.com/oauth/request_token',
        authorizeUrl: 'https://api.x.com/oauth/authenticate',
        accessTokenUrl: 'https://api.x.com/oauth/access_token',
        apiBaseUrl: 'https://api.x.com/1.1',
      },
      defaultScopes: [],
      scopeDelimiter: ' ',
      clientKwargs: { signatureMethod: 'HMAC-SHA1', signatureType: 'header' },
      async userInfo(input) {
        const account = await apiJson<XAccount>(input, 'account/verify_credentials.json', {
          params: { include_email: 'true', skip_status: 'true' },
        });
        const username = stringField(account.screen_name);
        return compactUser({
          sub: subjectOf(input, account.id_str),
          name: stringField(account.name),
          email: stringField(account.email),
          preferred_username: username,
          picture: stringField(account.profile_image_url_https),
          profile: profileUrl(username),
        });
      },
    },
    options,
  );
}
