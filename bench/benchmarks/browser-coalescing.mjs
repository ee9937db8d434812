// Refresh coalescing in the browser SDK: N concurrent getAccessToken() calls on one page when the
// access token has expired. The SDK runs in happy-dom (the environment the SDK's tests use) against
// the real provider over 127.0.0.1; the goal is exactly one refresh request per expiry.
import { builtinEnvironments } from 'vitest/runtime';
import { importTs } from '../lib/support.mjs';
import { LONE_COLUMNS, LONE_NOTE, loneRows, measureCoalescing } from '../lib/coalescing.mjs';

const CLIENT_ID = 'bench-spa';
const HOUR = 3600 * 1000;

export async function run({ quick, log }) {
  const { startTestProvider } = await importTs('test-support/provider.ts');
  const { submitAuthorizeForm } = await importTs('test-support/authorize-form.ts');
  const { bufferResponsesInHappyDom } = await importTs('packages/browser/test/happy-dom-fetch.ts');

  const provider = await startTestProvider();
  const page = `${provider.url}/app/home`;
  // The page is served from the provider's origin, as in the SDK's tests, so happy-dom's
  // same-origin rules do not stand between the SDK and the token endpoint.
  const environment = await builtinEnvironments['happy-dom'].setup(globalThis, { happyDOM: { url: page } });
  bufferResponsesInHappyDom();
  const { createAuthClient, createMemoryStorage } = await import('@latchkey/browser');

  let clockNow = Date.now();
  const client = createAuthClient({
    issuer: provider.issuer,
    clientId: CLIENT_ID,
    redirectUri: `${provider.url}/app/callback`,
    scope: 'openid profile offline_access',
    storage: createMemoryStorage(),
    clock: () => clockNow,
    dangerouslyAllowInsecureHttp: true,
  });
  try {
    await provider.provider.registerClient({
      clientId: CLIENT_ID,
      tokenEndpointAuthMethod: 'none',
      redirectUris: [`${provider.url}/app/callback`],
    });
    const { location } = await submitAuthorizeForm(await client.login({ returnTo: '/app/home', redirect: false }));
    await client.handleCallback(location);

    const plan = quick
      ? [
          [1, 3],
          [10, 3],
          [100, 2],
          [1000, 1],
        ]
      : [
          [1, 40],
          [10, 40],
          [100, 20],
          [1000, 10],
        ];
    const { measured, allSingle } = await measureCoalescing(plan, {
      expire: () => void (clockNow += HOUR),
      refreshes: () => provider.countEvents('token_request', 'refresh_token'),
      call: () => client.getAccessToken(),
      log,
    });
    return {
      title: 'Browser SDK refresh coalescing (happy-dom)',
      tables: [
        {
          columns: LONE_COLUMNS,
          rows: loneRows(measured),
        },
      ],
      goals: [
        {
          goal: 'one refresh request per expiry, whatever N (happy-dom)',
          met: allSingle,
          detail: allSingle ? 'exactly 1 for every expiry, N = 1 to 1000' : 'more than one refresh for some expiry',
        },
      ],
      method: [
        "@latchkey/browser (dist) in a happy-dom window set up as the SDK's tests do (Vitest's happy-dom environment, fetch buffered as in packages/browser/test/happy-dom-fetch.ts), logged in through the real provider's login page; the provider runs in the same process, as in the tests.",
        'For each expiry the client\'s clock moves one hour ahead and N getAccessToken() calls start in the same tick. "Refresh requests" are the refresh_token token requests the provider counted; every caller got the same new access token.',
        LONE_NOTE,
      ],
    };
  } finally {
    client.stop();
    await environment.teardown(globalThis);
    await provider.close();
  }
}
