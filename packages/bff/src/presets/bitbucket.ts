import type { ClientConfig } from '../config/client-config.js';
import { composeResponseFixes, spaceDelimitedScope, tokenAndRequestFixes } from './compliance.js';
import { buildPreset, type PresetOptions } from './define-preset.js';
import { primaryVerifiedEmail } from './emails.js';
import { apiJson, compactUser, optionalApiJson, stringField, subjectOf } from './user-info.js';

/** `GET /2.0/user` (https://developer.atlassian.com/cloud/bitbucket/rest/api-group-users/#api-user-get). */
interface BitbucketUser {
  uuid: string;
  account_id?: string;
  display_name?: string;
  nickname?: string;
  links?: { avatar?: { href?: string }; html?: { href?: string } };
}

/** `GET /2.0/user/emails`. */
interface BitbucketEmails {
  values?: { email: string; is_primary: boolean; is_confirmed: boolean }[];
}

/**
 * Bitbucket Cloud (https://developer.atlassian.com/cloud/bitbucket/oauth-2/). Scopes are set on the
 * OAuth consumer, not requested; the token answer names them `scopes`, which the fix renames. The
 * email is the primary confirmed one from `/user/emails` (needs the `email` scope on the consumer).
 */
export function bitbucket(options: PresetOptions = {}): ClientConfig {
  return buildPreset(
    {
      displayName: 'Bitbucket',
      endpoints: {
        authorizeUrl: 'https://bitbucket.org/site/oauth2/authorize',
        accessTokenUrl: 'https://bitbucket.org/site/oauth2/access_token',
        apiBaseUrl: 'https://api.bitbucket.org/2.0',
      },
      defaultScopes: [],
      scopeDelimiter: ' ',
      tokenEndpointAuthMethod: 'client_secret_basic',
      complianceFix: tokenAndRequestFixes(composeResponseFixes(spaceDelimitedScope)),
      async userInfo(input) {
        const [user, emails] = await Promise.all([
          apiJson<BitbucketUser>(input, 'user'),
          optionalApiJson<BitbucketEmails>(input, 'user/emails'),
        ]);
        const email = primaryVerifiedEmail(
          (emails?.values ?? []).map((entry) => ({ email: entry.email, primary: entry.is_primary, verified: entry.is_confirmed })),
        );
        return compactUser({
          sub: subjectOf(input, user.uuid),
          name: stringField(user.display_name),
          email,
          email_verified: email === undefined ? undefined : true,
          preferred_username: stringField(user.nickname),
          picture: stringField(user.links?.avatar?.href),
          profile: stringField(user.links?.html?.href),
        });
      },
    },
    options,
  );
}
