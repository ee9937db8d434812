/** Where the BFF is mounted on the app's origin. */
export const BFF_BASE_PATH = '/bff';

/**
 * The BFF's names for the embedded provider. Its routes end in them (`/bff/callback/latchkey`), so the
 * provider's clients are registered with URIs built from the same names.
 */
export const EMBEDDED = { oauth2: 'latchkey', oauth2Dpop: 'latchkey-dpop', oauth1: 'latchkey-oauth1' } as const;

/** A BFF route for one of its provider names, as an absolute URI on the app's origin. */
export function bffRouteUri(appOrigin: string, route: 'callback' | 'backchannel-logout', provider: string): string {
  return `${appOrigin}${BFF_BASE_PATH}/${route}/${provider}`;
}
