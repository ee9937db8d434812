/** What the demo server tells the SPA at `GET /demo-config.json`: no secrets, only public client settings. */
export interface DemoConfig {
  /** The embedded provider's issuer URL. */
  issuer: string;
  /** The SPA's public (PKCE) client id at that provider. */
  spaClientId: string;
  /** Public client ids of the React and Vue example apps (demo/bindings/). */
  bindingClientIds: { react: string; vue: string };
  /** Where the BFF is mounted on this origin. */
  bffBasePath: string;
  /** The BFF's names of the embedded provider: once per protocol, and OAuth 2 once more with DPoP-bound tokens. */
  embedded: { oauth2: string; oauth2Dpop: string; oauth1: string };
  /** For each BFF provider, the API paths the demo calls through the proxy (relative to its `apiBaseUrl`). */
  apis: Record<string, DemoApi>;
}

export interface DemoApi {
  /** The user's profile, e.g. `me` at the embedded provider, `user` at GitHub. */
  profilePath: string;
  /** What "Call the API" calls. */
  callPath: string;
}

export const DEMO_CONFIG_PATH = '/demo-config.json';
