// The processes the BFF benchmarks need: the real provider, BFF servers (memory or Redis store),
// and the helpers to register a provider with both sides and to log a browser in.
import { startServer } from './child.mjs';
import { importTs } from './support.mjs';

export { bffLogin } from './bff-login.mjs';

/** Starts the provider. `lifetimes` as in ProviderOptions (seconds). */
export function startProvider(lifetimes) {
  return startServer('provider', [JSON.stringify({ clients: [], ...(lifetimes && { lifetimes }) })]);
}

/** Starts a BFF with the memory store (`{ store: 'memory' }`) or the Redis store. */
export function startBff(options, execArgv = []) {
  return startServer('bff', [JSON.stringify(options)], { execArgv });
}

/**
 * Registers provider `name` twice over: a confidential client at the provider (a redirect URI on
 * each BFF) and the same client in each BFF's registry, with `apiBaseUrl` as the proxy's target.
 * Several BFFs get one client: they are instances of one app.
 */
export async function registerProvider(provider, bffs, name, { apiBaseUrl, scope = 'openid profile offline_access' }) {
  const instances = Array.isArray(bffs) ? bffs : [bffs];
  const clientId = `bench-bff-${name}-${instances[0].pid}`;
  const clientSecret = `secret-${clientId}-0123456789abcdef`;
  await provider.call('registerClient', {
    clientId,
    clientSecret,
    redirectUris: instances.map((bff) => `${bff.url}/bff/callback/${name}`),
    grantTypes: ['authorization_code', 'refresh_token'],
  });
  for (const bff of instances) {
    await bff.call('register', name, {
      clientId,
      clientSecret,
      serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
      apiBaseUrl,
      clientKwargs: { scope },
    });
  }
}

/** Whether the Redis store can be measured here, and if not, why. */
export async function redisAvailability() {
  // The tests' address: LATCHKEY_TEST_REDIS_URL, else redis://127.0.0.1:6379.
  const { probeRedis, REDIS_URL } = await importTs('test-support/services.ts');
  const { hostname, port } = new URL(REDIS_URL);
  if (!(await probeRedis(hostname, Number(port || 6379)))) return { available: false, reason: `no Redis answers at ${REDIS_URL}` };
  return { available: true, url: REDIS_URL };
}
