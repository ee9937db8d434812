import { bundleApp } from '../../../test-support/bundle-app.js';
import { listen, type Listening } from '../../../test-support/listen.js';

export interface SpaApp {
  /** Path prefix on the origin, e.g. `/spa`: pages are `${base}/home`, `${base}/callback`, `${base}/bye`. */
  base: string;
  clientId: string;
  refreshSkew: number;
}

export interface ServedSpa {
  server: Listening;
  /** Sets the apps and the issuer their pages name (known once the OP has started on its port). */
  configure(issuer: string, apps: readonly SpaApp[]): void;
}

/** The SPA's origin: `/app.js` and, for every path under an app's base, its page. Listens before the OP starts. */
export async function serveSpa(): Promise<ServedSpa> {
  const script = await bundleApp(new URL('./app.ts', import.meta.url));
  let issuer = '';
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
<meta charset="utf-8"><title>Latchkey against oidc-provider</title>
<script type="application/json" id="config">${JSON.stringify({ issuer, ...app })}</script>
<p id="status">loading</p><p id="me"></p><p id="error"></p><p id="expires-at"></p>
<button id="login">Log in</button><button id="me-call">Me</button>
<button id="logout">Log out</button><button id="end-session">Log out everywhere</button>
<script type="module" src="/app.js"></script>`);
  });
  return {
    server,
    configure(nextIssuer, nextApps) {
      issuer = nextIssuer;
      apps = nextApps;
    },
  };
}
