/** Helpers for tests of what `OAuthRegistry.register` accepts and refuses, with no provider running. */

/** What `run` threw; fails the test when it returns instead. */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** OAuth 2 endpoints for a registration that is checked but never used. */
export const exampleEndpoints = { authorizeUrl: 'https://id.example/authorize', accessTokenUrl: 'https://id.example/token' };
