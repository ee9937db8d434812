import { bundleApp } from '../../../test-support/bundle-app.js';
import { listen, type Listening } from '../../../test-support/listen.js';

/** One app of the test SPA's origin: a public client of one provider, and the SDK options it differs in. */
interface SpaApp {
  /** Path prefix on the origin, e.g. `/spa`: pages are `${base}/home`, `${base}/callback`, `${base}/bye`. */
  base: string;
  clientId: string;
  issuer: string;
  /** 60 (the SDK's default) unless set. */
  refreshSkew?: number;
  /** `openid profile email offline_access` unless set. */
  scope?: string;
  /** The SDK's `pushedAuthorizationRequests`: true (its default) unless set. */
  pushedAuthorizationRequests?: boolean;
  /** Binds the tokens to a DPoP key (`@latchkey/browser/dpop`); off unless set. */
  dpop?: boolean;
  /** The resource `#me-call` fetches: the issuer's userinfo endpoint (`${issuer}/me`) unless set. */
  api?: string;
}

/** The config the page carries, every option settled, as app.ts reads it. */
export type SpaPageConfig = Required<SpaApp>;

export interface ServedSpa {
  server: Listening;
  /** Sets the apps the origin serves (their issuers are known once the providers have started on their ports). */
  configure(apps: readonly SpaApp[]): void;
}

const pageConfig = (app: SpaApp): SpaPageConfig => ({
  refreshSkew: 60,
  scope: 'openid profile email offline_access',
  pushedAuthorizationRequests: true,
  dpop: false,
  api: `${app.issuer}/me`,
  ...app,
});

/**
 * The SPA's own origin: `/app.js` (app.ts, bundled as an app's build would) and, for every path under
 * an app's base, that app's page. Listens before the providers start, so they can register its redirect URIs.
 */
export async function serveSpa(): Promise<ServedSpa> {
  const script = await bundleApp(new URL('./app.ts', import.meta.url));
  let apps: readonly SpaApp[] = [];
  const server = await listen((req, res) => {
    if (req.url === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return void res.end(script);
    }
    const app = apps.find((candidate) => req.url?.startsWith(`${candidate.base}/`));
    if (!app) {
      res.writeHead(404);
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html>
<meta charset="utf-8"><title>Latchkey test SPA</title>
<script type="application/json" id="config">${JSON.stringify(pageConfig(app))}</script>
<p id="status">loading</p><p id="me"></p><p id="error"></p><p id="expires-at"></p>
<button id="login">Log in</button><button id="me-call">Me</button>
<button id="logout">Log out</button><button id="end-session">Log out everywhere</button>
<script type="module" src="/app.js"></script>`);
  });
  return {
    server,
    configure(next) {
      apps = next;
    },
  };
}
