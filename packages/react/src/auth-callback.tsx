import type { CallbackResult } from '@latchkey/browser';
import { useEffect, useRef, useState, type ReactElement, type ReactNode } from 'react';
import { useAuthStore } from './auth-context.js';

export interface AuthCallbackProps {
  /** Called once when the login completed: navigate to `result.returnTo` here. Required. */
  onDone: (result: CallbackResult) => void;
  /** Called once when the callback failed (an `AuthError`; also in `useAuth().error`). Default: none. */
  onError?: (error: Error) => void;
  /** The callback URL. Default: the address when this component first rendered. */
  url?: string;
  /** Rendered while the callback is handled. Default: nothing. */
  children?: ReactNode;
}

/**
 * Put it on the route of the redirect URI. It completes the login exactly once: StrictMode's double
 * effects, a remount and a re-render all share one `handleCallback` for the URL, and the SDK claims the
 * login transaction besides, so a code is never exchanged twice.
 */
export function AuthCallback({ onDone, onError, url, children = null }: AuthCallbackProps): ReactElement {
  const store = useAuthStore('<AuthCallback>');
  // The SDK cleans the address bar when it is done: the URL is read once, at first render.
  const [callbackUrl] = useState(() => url ?? location.href);
  const handlers = useRef({ onDone, onError });
  handlers.current = { onDone, onError };
  useEffect(() => {
    let mounted = true;
    store.handleCallback(callbackUrl).then(
      (result) => mounted && handlers.current.onDone(result),
      (error: unknown) => mounted && handlers.current.onError?.(error instanceof Error ? error : new Error(String(error))),
    );
    return () => {
      mounted = false;
    };
  }, [store, callbackUrl]);
  return <>{children}</>;
}
