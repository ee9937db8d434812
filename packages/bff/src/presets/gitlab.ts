import type { ClientConfig } from '../config/client-config.js';
import { baseUrlOption, buildPreset, joinUrl, type PresetOptions } from './define-preset.js';
import { apiJson, compactUser, stringField, subjectOf } from './user-info.js';

export interface GitLabOptions extends PresetOptions {
  /** A self-managed GitLab's URL, e.g. `https://gitlab.example.com`. Default `https://gitlab.com`. */
  baseUrl?: string;
}

/** `GET /user` (https://docs.gitlab.com/api/users/#get-the-current-user). */
interface GitLabUser {
  id: number;
  username: string;
  name: string | null;
  email: string | null;
  avatar_url: string | null;
  web_url: string;
  confirmed_at?: string | null;
}

/**
 * GitLab.com or a self-managed GitLab (https://docs.gitlab.com/api/oauth2/). Refresh tokens rotate;
 * the user comes from `GET /api/v4/user`, whose `email` is the primary address.
 */
export function gitlab(options: GitLabOptions = {}): ClientConfig {
  const { baseUrl, ...common } = options;
  const web = baseUrl === undefined ? 'https://gitlab.com' : baseUrlOption('baseUrl', baseUrl);
  return buildPreset(
    {
      displayName: 'GitLab',
      endpoints: {
        authorizeUrl: joinUrl(web, 'oauth/authorize'),
        accessTokenUrl: joinUrl(web, 'oauth/token'),
        revokeTokenUrl: joinUrl(web, 'oauth/revoke'),
        apiBaseUrl: joinUrl(web, 'api/v4'),
      },
      defaultScopes: ['read_user'],
      scopeDelimiter: ' ',
      tokenEndpointAuthMethod: 'client_secret_basic',
      async userInfo(input) {
        const user = await apiJson<GitLabUser>(input, 'user');
        return compactUser({
          sub: subjectOf(input, user.id),
          name: stringField(user.name),
          email: stringField(user.email),
          // A confirmed account has confirmed its primary address.
          email_verified: typeof user.confirmed_at === 'string' && stringField(user.email) !== undefined ? true : undefined,
          preferred_username: stringField(user.username),
          picture: stringField(user.avatar_url),
          profile: stringField(user.web_url),
        });
      },
    },
    common,
  );
}
