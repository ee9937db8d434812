import { presets, type ClientConfig } from '@latchkey/bff';
import type { DemoApi } from '../src/demo-config.js';

interface RealProvider {
  /** The registry configuration; client id and secret are left out, so they come from `{NAME}_CLIENT_ID` / `_SECRET`. */
  config(): ClientConfig;
  /** What the SPA calls through the proxy. */
  api: DemoApi;
  /** Where to get credentials, appended to a missing-credentials message. */
  help: string;
}

/** GitHub OAuth apps, through the BFF's preset (endpoints, token response and User-Agent fixes, user from `/user`). */
const github: RealProvider = {
  config: () => presets.github({ userAgent: 'latchkey-demo' }),
  api: { profilePath: 'user', callPath: 'user/repos?per_page=5&sort=updated' },
  help: 'Register an OAuth app at https://github.com/settings/developers and put GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET in demo/.env (see the README).',
};

export const REAL_PROVIDERS = { github } as const;
export type RealProviderName = keyof typeof REAL_PROVIDERS;

export function isRealProviderName(name: string): name is RealProviderName {
  return Object.hasOwn(REAL_PROVIDERS, name);
}
