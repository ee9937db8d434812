import { bitbucket } from './bitbucket.js';
import { discord } from './discord.js';
import { dropbox } from './dropbox.js';
import { facebook } from './facebook.js';
import { github } from './github.js';
import { gitlab } from './gitlab.js';
import { google } from './google.js';
import { linkedin } from './linkedin.js';
import { microsoft } from './microsoft.js';
import { auth0, keycloak, oidc, okta } from './oidc.js';
import { reddit } from './reddit.js';
import { slack } from './slack.js';
import { spotify } from './spotify.js';
import { twitter, twitterOAuth1 } from './twitter.js';

/**
 * Ready configurations for well-known providers: `oauth.register('github', presets.github())`.
 * Each returns a plain `ClientConfig`; spread it to change any key.
 */
export const presets = Object.freeze({
  auth0,
  bitbucket,
  discord,
  dropbox,
  facebook,
  github,
  gitlab,
  google,
  keycloak,
  linkedin,
  microsoft,
  oidc,
  okta,
  reddit,
  slack,
  spotify,
  twitter,
  twitterOAuth1,
});

export type PresetName = keyof typeof presets;

export type { Auth0Options, KeycloakOptions, OidcOptions, OktaOptions } from './oidc.js';
export type { DiscordOptions } from './discord.js';
export type { FacebookOptions } from './facebook.js';
export type { GitHubOptions } from './github.js';
export type { GitLabOptions } from './gitlab.js';
export type { GoogleOptions } from './google.js';
export type { MicrosoftOptions } from './microsoft.js';
export type { RedditOptions } from './reddit.js';
export type { PresetOptions } from './define-preset.js';
export {
  bearerTokenType,
  composeResponseFixes,
  errorInOkResponse,
  lenientTokenResponse,
  numericExpiresIn,
  spaceDelimitedScope,
  tokenResponseAsJson,
  userAgentHeader,
  type ResponseFix,
} from './compliance.js';
export { primaryVerifiedEmail, type ListedEmail } from './emails.js';
