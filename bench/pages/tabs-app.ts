// The page the Chromium benchmark opens in five tabs: the SDK as an app uses it, plus a small
// handle (`window.latchkeyBench`) the benchmark drives. Its clock can be moved ahead, so every tab
// sees the access token expire at once without waiting an hour.
import { createAuthClient } from '@latchkey/browser';

interface PageConfig {
  issuer: string;
  clientId: string;
}

export interface TimedToken {
  token: string;
  /** From the agreed start to the token, in this tab's clock (ms). */
  ms: number;
  /** How late this tab started after the agreed instant (ms). */
  lateBy: number;
}

export interface BenchHandle {
  ready: Promise<boolean>;
  loginUrl(): Promise<string>;
  setClockOffset(ms: number): void;
  /** At the wall-clock instant `at` (ms since the epoch), starts `calls` getAccessToken() calls. */
  tokensAt(at: number, calls: number): Promise<TimedToken[]>;
}

declare global {
  interface Window {
    latchkeyBench: BenchHandle;
  }
}

const config = JSON.parse(document.getElementById('config')!.textContent!) as PageConfig;
let offset = 0;

const auth = createAuthClient({
  issuer: config.issuer,
  clientId: config.clientId,
  redirectUri: `${location.origin}/app/callback`,
  scope: 'openid profile offline_access',
  clock: () => Date.now() + offset,
  // The provider runs on plain http on 127.0.0.1.
  dangerouslyAllowInsecureHttp: true,
});

async function start(): Promise<boolean> {
  if (location.pathname === '/app/callback') {
    const { returnTo } = await auth.handleCallback();
    history.replaceState(null, '', returnTo);
  }
  return (await auth.start()) !== null;
}

window.latchkeyBench = {
  ready: start(),
  loginUrl: () => auth.login({ returnTo: '/app/home', redirect: false }),
  setClockOffset(ms) {
    offset = ms;
  },
  async tokensAt(at, calls) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
    const lateBy = Date.now() - at;
    const begin = performance.now();
    return Promise.all(
      Array.from({ length: calls }, async () => {
        const token = await auth.getAccessToken();
        return { token, ms: performance.now() - begin, lateBy };
      }),
    );
  },
};
