import { randomBytes } from 'node:crypto';
import { createBff, OAuthRegistry, userFromClaims } from '@latchkey/bff';
import { isLatchkeyError } from '@latchkey/common';
import type { Middleware } from 'koa';
import type { DemoApi } from '../src/demo-config.js';
import { DemoError } from './demo-error.js';
import type { DemoProvider } from './demo-provider.js';
import { BFF_BASE_PATH, EMBEDDED } from './embedded-names.js';
import { REAL_PROVIDERS, isRealProviderName } from './real-providers.js';

export interface DemoBffOptions {
  demo: DemoProvider;
  /** Real providers to register too, e.g. `['github']`. */
  presets: readonly string[];
  /** Where the presets' credentials are read from. */
  env: Readonly<Record<string, string | undefined>>;
}

export interface DemoBff {
  middleware: Middleware;
  /** Registered provider names, embedded ones first. */
  providers: string[];
  /** What the SPA calls for each provider. */
  apis: Record<string, DemoApi>;
  close(): Promise<void>;
}

const EMBEDDED_API: DemoApi = { profilePath: 'me', callPath: 'echo?from=latchkey-demo' };

/**
 * The BFF with the embedded provider registered three times (an OpenID Connect confidential client, the
 * same with DPoP-bound tokens, and an OAuth 1.0a consumer) plus any real provider asked for. Session keys are random per start: sessions
 * live in memory and end with the process anyway.
 */
export function createDemoBff(options: DemoBffOptions): DemoBff {
  const { demo } = options;
  const issuer = demo.provider.issuer;
  const registry = new OAuthRegistry({ env: options.env });
  const apis: Record<string, DemoApi> = {};

  const oidc = {
    displayName: 'Latchkey ID',
    serverMetadataUrl: `${issuer}/.well-known/openid-configuration`,
    apiBaseUrl: `${issuer}/api/`,
  };
  // The embedded provider runs on plain http on this machine.
  const oidcKwargs = { scope: 'openid profile email offline_access', dangerouslyAllowInsecureHttp: true };
  registry.register(EMBEDDED.oauth2, {
    ...oidc,
    clientId: demo.bffClient.clientId!,
    clientSecret: demo.bffClient.clientSecret,
    clientKwargs: oidcKwargs,
  });
  apis[EMBEDDED.oauth2] = EMBEDDED_API;

  // Its own client at the provider, so that its logins get their own back-channel logout URI.
  registry.register(EMBEDDED.oauth2Dpop, {
    ...oidc,
    clientId: demo.bffDpopClient.clientId!,
    clientSecret: demo.bffDpopClient.clientSecret,
    clientKwargs: { ...oidcKwargs, dpop: true },
  });
  apis[EMBEDDED.oauth2Dpop] = EMBEDDED_API;

  registry.register(EMBEDDED.oauth1, {
    displayName: 'Latchkey ID',
    clientId: demo.oauth1Client.clientId!,
    clientSecret: demo.oauth1Client.clientSecret,
    requestTokenUrl: `${issuer}/oauth1/initiate`,
    authorizeUrl: `${issuer}/oauth1/authorize`,
    accessTokenUrl: `${issuer}/oauth1/token`,
    apiBaseUrl: `${issuer}/api/`,
    clientKwargs: { signatureMethod: 'HMAC-SHA1', dangerouslyAllowInsecureHttp: true },
    // OAuth 1.0a has no ID token: the user is whoever /api/me says signed the request.
    userInfo: async ({ client }) => userFromClaims(await (await client.get('me')).json()),
  });
  apis[EMBEDDED.oauth1] = EMBEDDED_API;

  for (const name of options.presets) {
    if (!isRealProviderName(name)) {
      throw new DemoError('unknown_preset', `--with ${name}: the demo knows ${Object.keys(REAL_PROVIDERS).join(', ')}.`);
    }
    const real = REAL_PROVIDERS[name];
    try {
      registry.register(name, real.config());
    } catch (cause) {
      if (!isLatchkeyError(cause, 'configuration_error')) throw cause;
      throw new DemoError('missing_credentials', `--with ${name}: ${cause.message} ${real.help}`, { cause });
    }
    apis[name] = real.api;
  }

  return {
    middleware: createBff({ registry, basePath: BFF_BASE_PATH, keys: [randomBytes(32).toString('base64url')] }),
    providers: Object.keys(apis),
    apis,
    close: () => registry.close(),
  };
}
