import type { DPoPBinding } from '@latchkey/browser/dpop';

/** The kind of access token the SDK sends: a bearer token, or a DPoP-bound one with a proof (RFC 9449). */
export type TokenType = 'Bearer' | 'DPoP';

// localStorage, so the choice holds across reloads and the provider's redirects.
const KEY = 'latchkey-demo:dpop';

/** Whether "Bind tokens to a key (DPoP)" is on. Default off. */
export function dpopChosen(): boolean {
  return localStorage.getItem(KEY) === 'on';
}

export function chooseDpop(on: boolean): void {
  if (on) localStorage.setItem(KEY, 'on');
  else localStorage.removeItem(KEY);
}

/**
 * `createDPoP()` of `@latchkey/browser/dpop`, loaded only when chosen (the SDK keeps it on its own entry so
 * that apps without DPoP ship none of it), telling `seen` which kind of token each call sent.
 */
export async function reportingDPoP(seen: (type: TokenType) => void): Promise<DPoPBinding> {
  const { createDPoP } = await import('@latchkey/browser/dpop');
  const binding = createDPoP();
  return {
    ...binding,
    fetch(request, session) {
      // A login from before the choice has no key, and a provider may answer a proof with a Bearer token
      // (RFC 9449 section 5): both go out as Bearer tokens.
      seen(session.dpop !== undefined && session.tokenType.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer');
      return binding.fetch(request, session);
    },
  };
}
