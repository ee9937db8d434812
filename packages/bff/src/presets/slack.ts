import type { ClientConfig } from '../config/client-config.js';
import { composeResponseFixes, errorInOkResponse, tokenAndRequestFixes } from './compliance.js';
import { buildPreset, type PresetOptions } from './define-preset.js';
import { idTokenUser } from './user-info.js';

/**
 * Sign in with Slack, OpenID Connect (https://api.slack.com/authentication/sign-in-with-slack).
 * Slack's Web API answers errors with HTTP 200 and `{"ok":false,"error":"invalid_code"}`, its token
 * endpoint included; the fix turns that into an RFC 6749 error. The user comes from the id_token.
 */
export function slack(options: PresetOptions = {}): ClientConfig {
  return buildPreset(
    {
      displayName: 'Slack',
      endpoints: {
        serverMetadataUrl: 'https://slack.com/.well-known/openid-configuration',
        apiBaseUrl: 'https://slack.com/api',
      },
      defaultScopes: ['openid', 'email', 'profile'],
      scopeDelimiter: ' ',
      tokenEndpointAuthMethod: 'client_secret_post',
      complianceFix: tokenAndRequestFixes(composeResponseFixes(errorInOkResponse)),
      userInfo: idTokenUser(),
    },
    options,
  );
}
