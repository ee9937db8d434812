import type { Notice } from './messages.js';

// sessionStorage: the mark lives in this tab only, across the trip to the provider's end-session page.
const KEY = 'latchkey-demo:logout-everywhere';

/** Notes, before leaving for the provider's end-session page, whether the BFF had a session then. */
export function markLogoutEverywhere(bffHadSession: boolean): void {
  sessionStorage.setItem(KEY, bffHadSession ? 'bff' : 'none');
}

/** The mark left by `markLogoutEverywhere`, removed; `null` when the page did not come back from one. */
export function takeLogoutEverywhere(): { bffHadSession: boolean } | null {
  const mark = sessionStorage.getItem(KEY);
  sessionStorage.removeItem(KEY);
  return mark === null ? null : { bffHadSession: mark === 'bff' };
}

/**
 * What the page says once back, having read the BFF session again. The page never called the BFF's
 * logout: a BFF session that is gone was ended by the provider's logout token.
 */
export function logoutEverywhereNotice(mark: { bffHadSession: boolean }, bffHasSession: boolean): Notice {
  if (!mark.bffHadSession) {
    return {
      tone: 'info',
      title: 'Logged out of Latchkey ID',
      text: 'The provider ended its login session, so the next login asks for the password again.',
      code: null,
    };
  }
  if (bffHasSession) {
    return {
      tone: 'info',
      title: 'The BFF session is still there',
      text: 'It came from another login session at Latchkey ID than the one that ended, so the provider had nothing to tell the BFF.',
      code: null,
    };
  }
  return {
    tone: 'info',
    title: 'Logged out everywhere',
    text: "Latchkey ID ended the BFF session too (back-channel logout): the provider POSTed a logout token to the BFF, which ended every session of that login. This page did not call the BFF's logout.",
    code: null,
  };
}
