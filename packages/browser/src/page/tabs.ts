/** What one tab tells the others of the same client. */
export interface TabMessage {
  type: 'login' | 'tokens' | 'logout';
}

/** Tells every other tab (and every other client instance of this page) on channel `name`. */
export function tellTabs(name: string, message: TabMessage): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(name);
  channel.postMessage(message);
  channel.close();
}

/** Listens on channel `name` until `signal` aborts. */
export function listenToTabs(name: string, onMessage: (message: TabMessage) => void, signal: AbortSignal): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(name);
  channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data);
  signal.addEventListener('abort', () => channel.close());
}

/**
 * Calls `onWake` whenever the page may have slept, until `signal` aborts: timers stall in background tabs
 * and frozen pages, so expiry is re-checked on `visibilitychange` (to visible), `focus`, `online` and a
 * back/forward cache restore (`pageshow` with `persisted`).
 */
export function watchWakeUps(onWake: () => void, signal: AbortSignal): void {
  if (typeof window === 'undefined') return;
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && onWake(), { signal });
  window.addEventListener('focus', onWake, { signal });
  window.addEventListener('online', onWake, { signal });
  window.addEventListener('pageshow', (event) => event.persisted && onWake(), { signal });
}
