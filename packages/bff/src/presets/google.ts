import { BffError } from '../errors.js';
import type { ClientConfig } from '../config/client-config.js';
import { buildPreset, type PresetOptions } from './define-preset.js';
import { idTokenUser, booleanClaim } from './user-info.js';

export interface GoogleOptions extends PresetOptions {
  /** Ask for a refresh token (`access_type=offline`), so the BFF can renew the 1 hour access tokens. Default true. */
  offline?: boolean;
  /**
   * Only accept accounts of this Google Workspace domain. Sent as the `hd` hint and checked against the
   * id_token's `hd` claim, since the hint alone can be removed from the URL. Default: any account.
   */
  hostedDomain?: string;
}

/**
 * Google, through OpenID Connect discovery (https://developers.google.com/identity/openid-connect/openid-connect).
 * The user comes from the id_token, which carries the profile and email claims for these scopes
 * (https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload).
 */
export function google(options: GoogleOptions = {}): ClientConfig {
  const { offline, hostedDomain, ...common } = options;
  return buildPreset(
    {
      displayName: 'Google',
      endpoints: {
        serverMetadataUrl: 'https://accounts.google.com/.well-known/openid-configuration',
        apiBaseUrl: 'https://www.googleapis.com',
      },
      defaultScopes: ['openid', 'email', 'profile'],
      scopeDelimiter: ' ',
      tokenEndpointAuthMethod: 'client_secret_basic',
      authorizeParams: {
        ...(offline === false ? {} : { access_type: 'offline' }),
        ...(hostedDomain === undefined ? {} : { hd: hostedDomain }),
      },
      userInfo: idTokenUser((claims, user) => {
        if (hostedDomain !== undefined && claims.hd !== hostedDomain) {
          throw new BffError('login_failed', `Only ${hostedDomain} accounts may log in here.`);
        }
        const verified = booleanClaim(claims.email_verified);
        return verified === undefined ? user : { ...user, email_verified: verified };
      }),
    },
    common,
  );
}
