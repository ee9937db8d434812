import { ConfigurationError } from '@latchkey/common';
import type { ClientConfig } from '../config/client-config.js';
import { lenientTokenResponse, tokenAndRequestFixes } from './compliance.js';
import { buildPreset, type PresetOptions } from './define-preset.js';
import { apiJson, compactUser, stringField, subjectOf } from './user-info.js';

export interface FacebookOptions extends PresetOptions {
  /** Graph API version in every URL. Default `v22.0`. */
  graphVersion?: string;
}

/** `GET /me?fields=id,name,email,picture` (https://developers.facebook.com/docs/graph-api/reference/user). */
interface FacebookUser {
  id: string;
  name?: string;
  email?: string;
  picture?: { data?: { url?: string; is_silhouette?: boolean } };
}

/**
 * Facebook Login (https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow).
 * Permissions are comma-separated in the dialog; the token answer has a lower-case `token_type`, no
 * `scope` and no refresh token (long-lived tokens last about 60 days), and older Graph versions sent
 * it form-encoded as `text/plain`. The user comes from `GET /me` with the fields asked for.
 */
export function facebook(options: FacebookOptions = {}): ClientConfig {
  const { graphVersion = 'v22.0', ...common } = options;
  if (!/^v\d+\.\d+$/.test(graphVersion)) throw new ConfigurationError('graphVersion', 'graphVersion looks like v22.0.');
  return buildPreset(
    {
      displayName: 'Facebook',
      endpoints: {
        authorizeUrl: `https://www.facebook.com/${graphVersion}/dialog/oauth`,
        accessTokenUrl: `https://graph.facebook.com/${graphVersion}/oauth/access_token`,
        apiBaseUrl: `https://graph.facebook.com/${graphVersion}`,
      },
      defaultScopes: ['email', 'public_profile'],
      scopeDelimiter: ',',
      tokenEndpointAuthMethod: 'client_secret_post',
      complianceFix: tokenAndRequestFixes(lenientTokenResponse),
      async userInfo(input) {
        const me = await apiJson<FacebookUser>(input, 'me', { params: { fields: 'id,name,email,picture.type(large)' } });
        const picture = me.picture?.data;
        return compactUser({
          sub: subjectOf(input, me.id),
          name: stringField(me.name),
          email: stringField(me.email),
          picture: picture?.is_silhouette === true ? undefined : stringField(picture?.url),
        });
      },
    },
    common,
  );
}
