import type { ClientConfig } from '../config/client-config.js';
import { buildPreset, type PresetOptions } from './define-preset.js';
import { apiJson, compactUser, stringField, subjectOf } from './user-info.js';

/** `GET /v1/me` (https://developer.spotify.com/documentation/web-api/reference/get-current-users-profile). */
interface SpotifyUser {
  id: string;
  display_name?: string | null;
  email?: string;
  images?: { url: string; width?: number | null }[];
  external_urls?: { spotify?: string };
}

/**
 * Spotify (https://developer.spotify.com/documentation/web-api/tutorials/code-flow). A refresh may
 * answer without a new refresh token (the BFF keeps the old one). Spotify says the account email is
 * unverified, so `email_verified` is false.
 */
export function spotify(options: PresetOptions = {}): ClientConfig {
  return buildPreset(
    {
      displayName: 'Spotify',
      endpoints: {
        authorizeUrl: 'https://accounts.spotify.com/authorize',
        accessTokenUrl: 'https://accounts.spotify.com/api/token',
        apiBaseUrl: 'https://api.spotify.com/v1',
      },
      defaultScopes: ['user-read-email', 'user-read-private'],
      scopeDelimiter: ' ',
      tokenEndpointAuthMethod: 'client_secret_basic',
      async userInfo(input) {
        const user = await apiJson<SpotifyUser>(input, 'me');
        const email = stringField(user.email);
        const largest = [...(user.images ?? [])].sort((a, b) => (b.width ?? 0) - (a.width ?? 0))[0];
        return compactUser({
          sub: subjectOf(input, user.id),
          name: stringField(user.display_name),
          email,
          email_verified: email === undefined ? undefined : false,
          preferred_username: stringField(user.id),
          picture: stringField(largest?.url),
          profile: stringField(user.external_urls?.spotify),
        });
      },
    },
    options,
  );
}
