import type { ClientConfig } from '../config/client-config.js';
import { bearerTokenType, composeResponseFixes, tokenAndRequestFixes } from './compliance.js';
import { buildPreset, type PresetOptions } from './define-preset.js';
import { idTokenUser } from './user-info.js';

/**
 * Sign In with LinkedIn using OpenID Connect
 * (https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2).
 * LinkedIn's token answers have long been sent without `token_type`; the fix supplies `Bearer`.
 * Client credentials go in the body. The user comes from the id_token (name, email, picture).
 */
export function linkedin(options: PresetOptions = {}): ClientConfig {
  return buildPreset(
    {
      displayName: 'LinkedIn',
      endpoints: {
        serverMetadataUrl: 'https://www.linkedin.com/oauth/.well-known/openid-configuration',
        apiBaseUrl: 'https://api.linkedin.com',
      },
      defaultScopes: ['openid', 'profile', 'email'],
      scopeDelimiter: ' ',
      tokenEndpointAuthMethod: 'client_secret_post',
      allowedAuthMethods: ['client_secret_post'],
      complianceFix: tokenAndRequestFixes(composeResponseFixes(bearerTokenType)),
      userInfo: idTokenUser(),
    },
    options,
  );
}
