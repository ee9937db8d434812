import type { Page } from 'playwright-core';

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
