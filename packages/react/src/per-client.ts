/**
 * One store per client, so every provider, hook and StrictMode remount of one client shares one
 * state, one set of in-flight callbacks and one session read.
 */
export function perClient<C extends object, S>(create: (client: C) => S): (client: C) => S {
  const stores = new WeakMap<C, S>();
  return (client) => {
    let store = stores.get(client);
    if (!store) {
      store = create(client);
      stores.set(client, store);
    }
    return store;
  };
}
