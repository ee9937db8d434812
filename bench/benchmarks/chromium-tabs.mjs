// Refresh coalescing across tabs: five Chromium tabs of one origin find the access token expired
// at the same instant. The SDK's tabs share one refresh through the Web Locks API and see the
// rotated tokens through IndexedDB; the goal is exactly one refresh request per expiry.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { LONE_NOTE } from '../lib/coalescing.mjs';
import { importTs } from '../lib/support.mjs';
import { formatMs, median } from '../lib/stats.mjs';

const CLIENT_ID = 'bench-tabs';
const HOUR = 3600 * 1000;
const TABS = 5;
const packages = fileURLToPath(new URL('../../packages/', import.meta.url));

/** Bundles the page with Vite's JS API (the SDK from source), as the SDK's Chromium test does. */
async function bundlePage() {
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    resolve: { alias: [{ find: /^@latchkey\/([a-z0-9-]+)$/, replacement: `${packages}$1/src/index.ts` }] },
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      lib: { entry: fileURLToPath(new URL('../pages/tabs-app.ts', import.meta.url)), formats: ['es'], fileName: 'app' },
    },
  });
  const results = Array.isArray(output) ? output : [output];
  return results.flatMap((result) => result.output).find((item) => item.type === 'chunk').code;
}

const html = (issuer) => `<!doctype html>
<meta charset="utf-8"><title>Latchkey tabs benchmark</title>
<script type="application/json" id="config">${JSON.stringify({ issuer, clientId: CLIENT_ID })}</script>
<script type="module" src="/app.js"></script>`;

export async function run({ quick, log }) {
  const { hasChromium, CHROMIUM_PATH } = await importTs('test-support/services.ts');
  if (!hasChromium()) {
    return {
      title: 'Browser SDK refresh coalescing across Chromium tabs',
      tables: [],
      goals: [{ goal: 'one refresh request per expiry across 5 tabs', met: null, detail: `no Chromium at ${CHROMIUM_PATH}` }],
      method: ["Needs Debian's Chromium (apt-get install chromium)."],
    };
  }
  const { startTestProvider } = await importTs('test-support/provider.ts');
  const { submitAuthorizeForm } = await importTs('test-support/authorize-form.ts');
  const { listen } = await importTs('test-support/listen.ts');
  const { launchChromium } = await importTs('test-support/chromium.ts');

  const provider = await startTestProvider();
  const script = await bundlePage();
  // The SPA on its own origin; the provider answers its token requests with CORS.
  const app = await listen((req, res) => {
    if (req.url === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return void res.end(script);
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html(provider.issuer));
  });
  await provider.provider.registerClient({
    clientId: CLIENT_ID,
    tokenEndpointAuthMethod: 'none',
    redirectUris: [`${app.url}/app/callback`],
  });
  const chromium = await launchChromium();
  try {
    log('logging in in the first tab');
    const first = await chromium.context.newPage();
    await first.goto(`${app.url}/app/home`);
    await first.evaluate(() => window.latchkeyBench.ready);
    const { location } = await submitAuthorizeForm(await first.evaluate(() => window.latchkeyBench.loginUrl()));
    await first.goto(location);
    if (!(await first.evaluate(() => window.latchkeyBench.ready))) throw new Error('the first tab did not log in');
    const tabs = [first];
    for (let i = 1; i < TABS; i++) {
      const tab = await chromium.context.newPage();
      await tab.goto(`${app.url}/app/home`);
      if (!(await tab.evaluate(() => window.latchkeyBench.ready))) throw new Error('a new tab did not share the session');
      tabs.push(tab);
    }

    let offset = 0;
    /** One expiry: every tab's clock moves an hour on, then `tabCount` tabs call at one instant. */
    async function expiry(tabCount, calls) {
      offset += HOUR;
      await Promise.all(tabs.map((tab) => tab.evaluate((ms) => window.latchkeyBench.setClockOffset(ms), offset)));
      const before = provider.countEvents('token_request', 'refresh_token');
      const at = Date.now() + 200;
      const answers = (
        await Promise.all(
          tabs.slice(0, tabCount).map((tab) => tab.evaluate(([when, n]) => window.latchkeyBench.tokensAt(when, n), [at, calls])),
        )
      ).flat();
      const refreshes = provider.countEvents('token_request', 'refresh_token') - before;
      if (new Set(answers.map((a) => a.token)).size !== 1) throw new Error('the tabs saw different access tokens');
      return { refreshes, latencies: answers.map((a) => a.ms), lateBy: Math.max(...answers.map((a) => a.lateBy)) };
    }

    await expiry(1, 1); // warm-up
    const plan = quick
      ? [
          { tabs: 1, calls: 1, expiries: 2 },
          { tabs: TABS, calls: 1, expiries: 2 },
          { tabs: TABS, calls: 20, expiries: 1 },
        ]
      : [
          { tabs: 1, calls: 1, expiries: 12 },
          { tabs: TABS, calls: 1, expiries: 12 },
          { tabs: TABS, calls: 20, expiries: 6 },
        ];
    const measured = plan.map((entry) => ({ ...entry, perExpiry: [], latencies: [], lateBy: 0 }));
    const rounds = Math.max(...plan.map((entry) => entry.expiries));
    for (let round = 0; round < rounds; round++) {
      for (const entry of measured) {
        if (round >= entry.expiries) continue;
        if (round === 0) log(`${entry.tabs} tab(s) x ${entry.calls} call(s) x ${entry.expiries} expiries, interleaved`);
        const result = await expiry(entry.tabs, entry.calls);
        entry.perExpiry.push(result.refreshes);
        entry.latencies.push(...result.latencies);
        entry.lateBy = Math.max(entry.lateBy, result.lateBy);
      }
    }
    const lone = median(measured[0].latencies);
    const rows = measured.map((entry) => {
      const low = Math.min(...entry.perExpiry);
      const high = Math.max(...entry.perExpiry);
      const alone = entry.tabs === 1 && entry.calls === 1;
      return [
        `${entry.tabs} tab(s) x ${entry.calls} call(s)`,
        String(entry.expiries),
        low === high ? String(low) : `${low}–${high}`,
        formatMs(median(entry.latencies)),
        formatMs(Math.max(...entry.latencies)),
        alone ? '' : formatMs(median(entry.latencies) - lone),
        alone ? '' : formatMs(Math.max(...entry.latencies) - lone),
        formatMs(entry.lateBy),
      ];
    });
    const multiTab = measured.filter((entry) => entry.tabs > 1);
    const single = multiTab.every((entry) => entry.perExpiry.every((count) => count === 1));
    return {
      title: 'Browser SDK refresh coalescing across Chromium tabs',
      tables: [
        {
          columns: [
            'calls',
            'expiries',
            'refresh requests per expiry',
            'latency p50',
            'latency max',
            'added vs lone call, p50',
            'added, max',
            'latest tab start',
          ],
          rows,
        },
      ],
      goals: [
        {
          goal: `one refresh request per expiry across ${TABS} Chromium tabs`,
          met: single,
          detail: single
            ? `exactly 1 for every expiry (${multiTab.map((e) => `${e.tabs}x${e.calls}`).join(', ')} calls)`
            : `refresh requests per expiry: ${multiTab.map((e) => e.perExpiry.join('/')).join('; ')}`,
        },
      ],
      method: [
        `Debian's headless Chromium, launched by test-support/chromium.ts (one profile, ${TABS} tabs of one origin); the page (bench/pages/tabs-app.ts) bundled with Vite's JS API, the SDK with its defaults: IndexedDB storage and Web Locks. The real provider on its own origin, answering with CORS; logged in through its login page.`,
        'For each expiry every tab\'s SDK clock moves one hour ahead, then the tabs start their getAccessToken() calls at one agreed wall-clock instant ("latest tab start" is how late the last tab began). Every call got the same new access token; refresh requests are those the provider counted.',
        LONE_NOTE.replace('(N = 1)', '(one tab, one call)'),
      ],
    };
  } finally {
    await chromium.close();
    await app.close();
    await provider.close();
  }
}
