import type { Page } from 'playwright-core';
import { bundleApp } from '../../../../test-support/bundle-app.js';
import { listen, type Listening } from '../../../../test-support/listen.js';

export interface DPoPApp {
  /** Path prefix on the origin: pages are `${base}/home` and `${base}/callback`. */
  base: string;
  clientId: string;
  refreshSkew: number;
  /** The resource the page's `#me-call` button fetches. */
  api: string;
}

export interface ServedDPoPSpa {
  server: Listening;
  /** Sets the issuer and the apps (known once the provider has started on its port). */
  configure(issuer: string, apps: readonly DPoPApp[]): void;
}

/** The SPA's own origin: `/app.js` (dpop-app.ts, bundled as an app's build would) and each app's page. */
export async function serveDPoPSpa(): Promise<ServedDPoPSpa> {
  const script = await bundleApp(new URL('./dpop-app.ts', import.meta.url));
  let issuer = '';
  let apps: readonly DPoPApp[] = [];
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
<meta charset="utf-8"><title>Latchkey DPoP</title>
<script type="application/json" id="config">${JSON.stringify({ issuer, ...app })}</script>
<p id="status">loading</p><p id="me"></p><p id="error"></p><p id="expires-at"></p>
<button id="login">Log in</button><button id="me-call">Me</button><button id="logout">Log out</button>
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

/** What the page's IndexedDB holds for the client: the session's tokens and its DPoP key, as the SDK stored them. */
export interface StoredDPoPSession {
  accessToken: string;
  refreshToken: string | null;
  tokenType: string;
  jkt: string | null;
  /** The stored private key is a real CryptoKey that cannot be exported. */
  privateKey: { isCryptoKey: boolean; extractable: boolean; algorithm: string } | null;
}

/** Reads the SDK's IndexedDB database of `clientId` at `issuer` in the page, as any script of the origin could. */
export function readStoredSession(tab: Page, clientId: string, issuer: string): Promise<StoredDPoPSession | null> {
  return tab.evaluate(
    async ({ namespace }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(namespace);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const session = await new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
        const get = db.transaction('latchkey').objectStore('latchkey').get(`${namespace}:session`);
        get.onsuccess = () => resolve(get.result as Record<string, unknown> | undefined);
        get.onerror = () => reject(get.error);
      });
      db.close();
      if (!session) return null;
      const key = session.dpop as { jkt: string; keyPair: CryptoKeyPair } | undefined;
      return {
        accessToken: String(session.accessToken),
        refreshToken: typeof session.refreshToken === 'string' ? session.refreshToken : null,
        tokenType: String(session.tokenType),
        jkt: key?.jkt ?? null,
        privateKey: key
          ? {
              isCryptoKey: key.keyPair.privateKey instanceof CryptoKey,
              extractable: key.keyPair.privateKey.extractable,
              algorithm: (key.keyPair.privateKey.algorithm as EcKeyAlgorithm).namedCurve,
            }
          : null,
      };
    },
    { namespace: `latchkey:${clientId}@${issuer}` },
  );
}
