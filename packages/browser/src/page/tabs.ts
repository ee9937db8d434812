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

/** Listens on channel `name`; returns the function that stops listening. */
export function listenToTabs(name: string, onMessage: (message: TabMessage) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined;
  const channel = new BroadcastChannel(name);
  channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data);
  return () => channel.close();
}

/**
 * Calls `onWake` whenever the page may have slept: timers stall in background tabs and frozen pages,
 * so expiry is re-checked on `visibilitychange` (to visible), `focus`, `online` and a back/forward
 * cache restore (`pageshow` with `persisted`). Returns the function that stops watching.
 */
export function watchWakeUps(onWake: () => void): () => void {
  if (typeof window === 'undefined') return () => undefined;
  const listeners: [EventTarget, string, (event: Event) => void][] = [
    [document, 'visibilitychange', () => document.visibilityState === 'visible' && onWake()],
    [window, 'focus', onWake],
    [window, 'online', onWake],
    [window, 'pageshow', (event) => (event as PageTransitionEvent).persisted && onWake()],
  ];
  for (const [target, type, listener] of listeners) target.addEventListener(type, listener);
  return () => {
    for (const [target, type, listener] of listeners) target.removeEventListener(type, listener);
  };
}
