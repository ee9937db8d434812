import { AuthError, ConfigurationError, type AuthClient } from '@latchkey/browser';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { StrictMode, useState, type ReactElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthCallback, AuthProvider, RequireAuth, useAuth, useAuthFetch, type UseAuthResult } from '@latchkey/react';
import { authorize, captureNavigation, setPageUrl, startHarness, submitAuthorizeForm, type Harness } from './support.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

/** Shows the session as text and hands the hook's result to the test. */
function Status({ onAuth }: { onAuth?: (auth: UseAuthResult) => void }): ReactElement {
  const auth = useAuth();
  onAuth?.(auth);
  if (auth.isLoading) return <p>loading</p>;
  if (auth.error) return <p>error:{(auth.error as AuthError).code}</p>;
  return <p>{auth.isAuthenticated ? `user:${String(auth.user?.name)}` : 'anonymous'}</p>;
}

/** Calls the provider's /api/me through useAuthFetch and shows the status and name. */
function Me(): ReactElement {
  const authFetch = useAuthFetch();
  const [name, setName] = useState('');
  const load = async () => {
    const response = await authFetch('/api/me');
    setName(`${response.status}:${((await response.json()) as { name: string }).name}`);
  };
  return <button onClick={() => void load()}>{name || 'call'}</button>;
}

/** The provider's callback URL for a login started through the hook. */
async function callbackThroughHook(client: AuthClient, decision: 'allow' | 'deny' = 'allow'): Promise<string> {
  let auth: UseAuthResult | undefined;
  const view = render(
    <AuthProvider client={client}>
      <Status onAuth={(value) => (auth = value)} />
    </AuthProvider>,
  );
  await screen.findByText('anonymous');
  const url = await auth!.login({ returnTo: '/app/after', redirect: false });
  view.unmount();
  const answer = await submitAuthorizeForm(url, { decision });
  return answer.location!;
}

function renderCallback(client: AuthClient, onDone = vi.fn(), onError = vi.fn()) {
  render(
    <StrictMode>
      <AuthProvider client={client}>
        <AuthCallback onDone={onDone} onError={onError}>
          <p>finishing</p>
        </AuthCallback>
        <Status />
      </AuthProvider>
    </StrictMode>,
  );
  return { onDone, onError };
}

describe('AuthProvider, useAuth and AuthCallback against the real provider', () => {
  it('logs in through the hooks; StrictMode double effects exchange the code once', async () => {
    const client = h.client();
    const callback = await callbackThroughHook(client);
    setPageUrl(callback);
    const { onDone, onError } = renderCallback(client);
    expect(screen.getByText('loading')).toBeTruthy();
    await screen.findByText('user:Alice Liddell');
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(onDone.mock.calls[0]![0]).toMatchObject({ returnTo: '/app/after', user: { sub: 'u-alice' } });
    expect(onError).not.toHaveBeenCalled();
    expect(h.provider.countEvents('token_request', 'authorization_code')).toBe(1);
    expect(location.search).toBe('');
  });

  it('a reload (a new client on the same storage) starts loading, then shows the stored user', async () => {
    const first = h.client();
    await first.handleCallback(await authorize(first));
    render(
      <AuthProvider client={h.client()}>
        <Status />
      </AuthProvider>,
    );
    expect(screen.getByText('loading')).toBeTruthy();
    await screen.findByText('user:Alice Liddell');
  });

  it('a denied consent surfaces as an AuthError in onError and in useAuth().error', async () => {
    const client = h.client();
    setPageUrl(await callbackThroughHook(client, 'deny'));
    const { onDone, onError } = renderCallback(client);
    await screen.findByText('error:authorization_denied');
    await waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
    const error = onError.mock.calls[0]![0] as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.code).toBe('authorization_denied');
    expect(error.oauthError).toBe('access_denied');
    expect(onDone).not.toHaveBeenCalled();
    expect(h.provider.countEvents('token_request', 'authorization_code')).toBe(0);
  });

  it('logout clears the session in the UI and revokes the tokens at the provider', async () => {
    const client = h.client();
    await client.handleCallback(await authorize(client));
    let auth: UseAuthResult | undefined;
    render(
      <AuthProvider client={client}>
        <Status onAuth={(value) => (auth = value)} />
      </AuthProvider>,
    );
    await screen.findByText('user:Alice Liddell');
    await act(() => auth!.logout());
    await screen.findByText('anonymous');
    expect(h.provider.countEvents('token_revoked')).toBeGreaterThan(0);
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
  });

  it('follows a logout in another tab', async () => {
    const client = h.client();
    await client.handleCallback(await authorize(client));
    render(
      <AuthProvider client={client}>
        <Status />
      </AuthProvider>,
    );
    await screen.findByText('user:Alice Liddell');
    const otherTab = h.client();
    await otherTab.start();
    await otherTab.logout({ revoke: false });
    await screen.findByText('anonymous');
  });

  it('useAuthFetch attaches the token for the provider /api/me', async () => {
    const client = h.client();
    await client.handleCallback(await authorize(client));
    render(
      <AuthProvider client={client}>
        <Me />
      </AuthProvider>,
    );
    act(() => screen.getByText('call').click());
    await screen.findByText('200:Alice Liddell');
  });

  it('useAuth outside an AuthProvider is a ConfigurationError', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => render(<Status />)).toThrow(ConfigurationError);
  });
});

describe('RequireAuth', () => {
  it('logged out: shows the fallback and starts one login, even in StrictMode', async () => {
    const client = h.client();
    // The session is already loaded when the gate mounts (a navigation inside the app), so both of
    // StrictMode's effect runs want to log in.
    await callbackThroughHook(client);
    const navigate = captureNavigation();
    render(
      <StrictMode>
        <AuthProvider client={client}>
          <RequireAuth fallback={<p>redirecting</p>} loginParams={{ returnTo: '/app/secret' }}>
            <p>secret</p>
          </RequireAuth>
        </AuthProvider>
      </StrictMode>,
    );
    expect(screen.getByText('redirecting')).toBeTruthy();
    await waitFor(() => expect(navigate).toHaveBeenCalled());
    // Logins store their transactions one at a time under a lock: once this one is stored, any login
    // the gate started before it is stored too.
    await client.login({ redirect: false });
    const transactions = await h.storage.get<Record<string, unknown>>(`${client.options.namespace}:transactions`);
    expect(Object.keys(transactions!)).toHaveLength(3); // callbackThroughHook's, the gate's, this one
    expect(navigate).toHaveBeenCalledTimes(1);
    expect(screen.queryByText('secret')).toBeNull();

    // The user logs in at the provider; the app comes back to the callback, then to the gate.
    cleanup();
    const answer = await submitAuthorizeForm(String(navigate.mock.calls[0]![0]));
    setPageUrl(answer.location!);
    const returnTo = vi.fn();
    render(
      <StrictMode>
        <AuthProvider client={client}>
          <RequireAuth fallback={<p>redirecting</p>}>
            <p>secret</p>
          </RequireAuth>
          <AuthCallback onDone={({ returnTo: path }) => returnTo(path)} />
        </AuthProvider>
      </StrictMode>,
    );
    await screen.findByText('secret');
    expect(returnTo).toHaveBeenCalledWith('/app/secret');
    expect(navigate).toHaveBeenCalledTimes(1);
    expect(h.provider.countEvents('token_request', 'authorization_code')).toBe(1);
  });

  it('logged in: renders its children', async () => {
    const client = h.client();
    await client.handleCallback(await authorize(client));
    render(
      <AuthProvider client={client}>
        <RequireAuth fallback={<p>wait</p>}>
          <p>secret</p>
        </RequireAuth>
      </AuthProvider>,
    );
    await screen.findByText('secret');
  });

  it('redirect={false} renders the fallback and starts nothing', async () => {
    const navigate = captureNavigation();
    render(
      <AuthProvider client={h.client()}>
        <RequireAuth redirect={false} fallback={<Status />}>
          <p>secret</p>
        </RequireAuth>
      </AuthProvider>,
    );
    await screen.findByText('anonymous');
    expect(navigate).not.toHaveBeenCalled();
  });

  it('after a failed callback it shows the fallback and does not send the user back to the provider', async () => {
    const client = h.client();
    setPageUrl(await callbackThroughHook(client, 'deny'));
    const navigate = captureNavigation();
    render(
      <AuthProvider client={client}>
        <AuthCallback onDone={() => undefined} />
        <RequireAuth fallback={<Status />}>
          <p>secret</p>
        </RequireAuth>
      </AuthProvider>,
    );
    await screen.findByText('error:authorization_denied');
    expect(navigate).not.toHaveBeenCalled();
  });
});
