import type { ClientConfig } from '@latchkey/bff';
import type { DemoApi } from '../src/demo-config.js';

export interface RealProvider {
  /** The registry configuration; client id and secret are left out, so they come from `{NAME}_CLIENT_ID` / `_SECRET`. */
  config(): ClientConfig;
  /** What the SPA calls through the proxy. */
  api: DemoApi;
  /** Where to get credentials, appended to a missing-credentials message. */
  help: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * GitHub OAuth apps (docs.github.com, "Authorizing OAuth apps"): authorization code flow, tokens that
 * do not expire, no OpenID Connect, so the user is read from `GET /user`. The REST API refuses calls
 * without a User-Agent.
 */
const github: RealProvider = {
  config: () => ({
    displayName: 'GitHub',
    authorizeUrl: 'https://github.com/login/oauth/authorize',
    accessTokenUrl: 'https://github.com/login/oauth/access_token',
    apiBaseUrl: 'https://api.github.com/',
    clientKwargs: { scope: 'read:user user:email', tokenEndpointAuthMethod: 'client_secret_post' },
    complianceFix: {
      protectedRequest: (request) => ({
        ...request,
        headers: { ...request.headers, 'user-agent': 'latchkey-demo', accept: 'application/vnd.github+json' },
      }),
    },
    userInfo: async ({ client }) => {
      const body = (await (await client.get('user')).json()) as Record<string, unknown>;
      if (typeof body.id !== 'number' && typeof body.id !== 'string') return null;
      const user = { sub: String(body.id), name: text(body.name), preferred_username: text(body.login), email: text(body.email), picture: text(body.avatar_url), profile: text(body.html_url) };
      return Object.fromEntries(Object.entries(user).filter(([, value]) => value !== undefined)) as { sub: string };
    },
  }),
  api: { profilePath: 'user', callPath: 'user/repos?per_page=5&sort=updated' },
  help: 'Register an OAuth app at https://github.com/settings/developers and put GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET in demo/.env (see the README).',
};

export const REAL_PROVIDERS = { github } as const;
export type RealProviderName = keyof typeof REAL_PROVIDERS;

export function isRealProviderName(name: string): name is RealProviderName {
  return Object.hasOwn(REAL_PROVIDERS, name);
}
