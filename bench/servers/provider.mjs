// The real @latchkey/provider (built dist) in its own process. argv[2] is JSON: { clients, lifetimes }.
// Commands: count(type, grantType?) -> how many events of that type the provider emitted;
// registerClient(input).
import { createProvider } from '@latchkey/provider';
import { serve } from '../lib/child.mjs';
import { BENCH_USER } from '../lib/oauth.mjs';

const { clients = [], lifetimes } = JSON.parse(process.argv[2] ?? '{}');
const counts = new Map();
const key = (type, grantType) => (grantType === undefined ? type : `${type}:${grantType}`);
const bump = (name) => counts.set(name, (counts.get(name) ?? 0) + 1);

await serve(async (url) => {
  const provider = await createProvider({
    issuer: url,
    users: [BENCH_USER],
    clients,
    ...(lifetimes && { lifetimes }),
    onEvent: (event) => {
      bump(key(event.type));
      if ('grantType' in event) bump(key(event.type, event.grantType));
    },
  });
  return {
    handler: provider.app.callback(),
    commands: {
      count: (type, grantType) => counts.get(key(type, grantType)) ?? 0,
      registerClient: async (input) => (await provider.registerClient(input)).clientId,
    },
  };
});
