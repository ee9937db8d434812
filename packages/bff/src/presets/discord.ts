import type { ClientConfig } from '../config/client-config.js';
import { baseUrlOption, buildPreset, joinUrl, type PresetOptions } from './define-preset.js';
import { bearerJson, compactUser, stringField, subjectOf } from './user-info.js';

export interface DiscordOptions extends PresetOptions {
  /** Discord's API, also where the user is read. Default `https://discord.com/api/v10`. */
  apiBaseUrl?: string;
}

/** `GET /users/@me` (https://discord.com/developers/docs/resources/user#user-object). */
interface DiscordUser {
  id: string;
  username: string;
  global_name?: string | null;
  avatar?: string | null;
  email?: string | null;
  verified?: boolean;
}

/**
 * Discord (https://discord.com/developers/docs/topics/oauth2). The user is `users/@me`, read with a
 * direct call because the proxy's path rules refuse `@`; the avatar is a hash turned into a CDN URL.
 */
export function discord(options: DiscordOptions = {}): ClientConfig {
  const { apiBaseUrl, ...common } = options;
  const api = apiBaseUrl === undefined ? 'https://discord.com/api/v10' : baseUrlOption('apiBaseUrl', apiBaseUrl);
  return buildPreset(
    {
      displayName: 'Discord',
      endpoints: {
        authorizeUrl: 'https://discord.com/oauth2/authorize',
        accessTokenUrl: 'https://discord.com/api/oauth2/token',
        revokeTokenUrl: 'https://discord.com/api/oauth2/token/revoke',
        apiBaseUrl: api,
      },
      defaultScopes: ['identify', 'email'],
      scopeDelimiter: ' ',
      tokenEndpointAuthMethod: 'client_secret_basic',
      async userInfo(input) {
        const user = await bearerJson<DiscordUser>(input, joinUrl(api, 'users/@me'));
        const id = subjectOf(input, user.id);
        const avatar = stringField(user.avatar);
        return compactUser({
          sub: id,
          name: stringField(user.global_name) ?? stringField(user.username),
          email: stringField(user.email),
          email_verified: stringField(user.email) === undefined ? undefined : user.verified === true,
          preferred_username: stringField(user.username),
          picture:
            avatar === undefined
              ? undefined
              : `https://cdn.discordapp.com/avatars/${encodeURIComponent(id)}/${encodeURIComponent(avatar)}.png`,
        });
      },
    },
    common,
  );
}
