import { ConfigurationError } from '@latchkey/common';
import type { ClientConfig } from '../config/client-config.js';
import { lenientTokenResponse, tokenAndRequestFixes, userAgentHeader } from './compliance.js';
import { buildPreset, type PresetOptions } from './define-preset.js';
import { apiJson, compactUser, stringField, subjectOf } from './user-info.js';

export interface RedditOptions extends PresetOptions {
  /**
   * `User-Agent` of API calls. Reddit throttles generic ones and asks for
   * `<platform>:<app id>:<version> (by /u/<reddit username>)`. Default `web:latchkey-bff:1.0`.
   */
  userAgent?: string;
  /** `permanent` asks for a refresh token; `temporary` tokens last an hour. Default `permanent`. */
  duration?: 'permanent' | 'temporary';
  /** An "installed app": it has no secret and authenticates with HTTP Basic of `id:` (empty password). Default false. */
  installedApp?: boolean;
}

/** `GET /api/v1/me` (https://www.reddit.com/dev/api/#GET_api_v1_me). */
interface RedditAccount {
  id: string;
  name: string;
  icon_img?: string;
}

/** Reddit escapes `&` in image URLs inside its JSON. */
const unescapeAmpersands = (value: string | undefined) => value?.replace(/&amp;/g, '&');

/**
 * Reddit (https://github.com/reddit-archive/reddit/wiki/OAuth2). The token endpoint takes client
 * credentials only as HTTP Basic with the id and secret as they are (ids often hold `-` and `_`, which
 * form-encoding would turn into `%2D` and `%5F`), an installed app's secret being the empty string, and
 * answers some errors with HTTP 200; API calls go to `oauth.reddit.com` and need a descriptive
 * `User-Agent`.
 */
export function reddit(options: RedditOptions = {}): ClientConfig {
  const { userAgent = 'web:latchkey-bff:1.0', duration = 'permanent', installedApp = false, ...common } = options;
  if (installedApp && common.clientSecret !== undefined) {
    throw new ConfigurationError('clientSecret', 'A Reddit installed app has no client secret.');
  }
  return buildPreset(
    {
      displayName: 'Reddit',
      endpoints: {
        authorizeUrl: 'https://www.reddit.com/api/v1/authorize',
        accessTokenUrl: 'https://www.reddit.com/api/v1/access_token',
        revokeTokenUrl: 'https://www.reddit.com/api/v1/revoke_token',
        apiBaseUrl: 'https://oauth.reddit.com',
      },
      defaultScopes: ['identity'],
      scopeDelimiter: ' ',
      tokenEndpointAuthMethod: 'client_secret_basic',
      allowedAuthMethods: ['client_secret_basic'],
      basicAuthEncoding: 'none',
      ...(installedApp ? { clientKwargs: { emptyClientSecret: true } } : {}),
      authorizeParams: { duration },
      complianceFix: tokenAndRequestFixes(lenientTokenResponse, userAgentHeader(userAgent)),
      async userInfo(input) {
        const account = await apiJson<RedditAccount>(input, 'api/v1/me');
        const name = stringField(account.name);
        return compactUser({
          sub: subjectOf(input, account.id),
          name,
          preferred_username: name,
          picture: unescapeAmpersands(stringField(account.icon_img)),
          profile: name === undefined ? undefined : `https://www.reddit.com/user/${encodeURIComponent(name)}`,
        });
      },
    },
    common,
  );
}
