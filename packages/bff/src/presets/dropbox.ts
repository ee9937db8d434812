import type { ClientConfig } from '../config/client-config.js';
import { buildPreset, type PresetOptions } from './define-preset.js';
import { apiJson, compactUser, stringField, subjectOf } from './user-info.js';

/** `POST /2/users/get_current_account` (https://www.dropbox.com/developers/documentation/http/documentation#users-get_current_account). */
interface DropboxAccount {
  account_id: string;
  name?: { display_name?: string };
  email?: string;
  email_verified?: boolean;
  profile_photo_url?: string;
}

/**
 * Dropbox (https://developers.dropbox.com/oauth-guide). `token_access_type=offline` asks for a
 * refresh token (access tokens last 4 hours). The account is read with an RPC-style POST that takes
 * no body.
 */
export function dropbox(options: PresetOptions = {}): ClientConfig {
  return buildPreset(
    {
      displayName: 'Dropbox',
      endpoints: {
        authorizeUrl: 'https://www.dropbox.com/oauth2/authorize',
        accessTokenUrl: 'https://api.dropboxapi.com/oauth2/token',
        apiBaseUrl: 'https://api.dropboxapi.com/2',
      },
      defaultScopes: ['account_info.read'],
      scopeDelimiter: ' ',
      tokenEndpointAuthMethod: 'client_secret_basic',
      authorizeParams: { token_access_type: 'offline' },
      async userInfo(input) {
        const account = await apiJson<DropboxAccount>(input, 'users/get_current_account', { method: 'POST' });
        const email = stringField(account.email);
        return compactUser({
          sub: subjectOf(input, account.account_id),
          name: stringField(account.name?.display_name),
          email,
          email_verified: email === undefined || typeof account.email_verified !== 'boolean' ? undefined : account.email_verified,
          picture: stringField(account.profile_photo_url),
        });
      },
    },
    options,
  );
}
