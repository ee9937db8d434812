import { BffClientError, ConfigurationError, createBffClient, isLatchkeyError } from '@latchkey/browser';
import { LOGIN_ERROR_PARAM, LOGIN_ERROR_PROVIDER_PARAM } from '@latchkey/common';
import { act, render, screen } from '@testing-library/react';
import { StrictMode, type ReactElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BffProvider, useBffSession, type UseBffSessionResult } from '@latchkey/react';
import { startContractServer, type ContractServer } from '../../../test-support/bff-contract-server.js';
import { captureNavigation, setPageUrl } from './support.js';

let bff: ContractServer;
beforeEach(async () => {
  bff = await startContractServer();
  setPageUrl(`${bff.url}/app/home`);
});
afterEach(() => bff.close());

function Session({ onSession }: { onSession?: (session: UseBffSessionResult) => void }): ReactElement {
  const session = useBffSession();
  onSession?.(session);
  if (session.isLoading) return <p>loading</p>;
  const error = session.error ? ` error:${(session.error as BffClientError).code}` : '';
  return <p>{(session.isAuthenticated ? `user:${session.user?.name}` : 'anonymous') + error}</p>;
}

const sessionReads = () => bff.log.filter((entry) => entry.url === '/bff/session').length;

/** Renders <Session> in a BffProvider (inside StrictMode when asked); returns a reader of the hook's latest result. */
function renderSession(options: { strict?: boolean } = {}): () => UseBffSessionResult {
  let session: UseBffSessionResult | undefined;
  const tree = (
    <BffProvider client={createBffClient()}>
      <Session onSession={(value) => (session = value)} />
    </BffProvider>
  );
  render(options.strict ? <StrictMode>{tree}</StrictMode> : tree);
  return () => session as UseBffSessionResult;
}

describe('BffProvider and useBffSession against a server speaking the BFF contract', () => {
  it('reads the session once, StrictMode included', async () => {
    renderSession({ strict: true });
    expect(screen.getByText('loading')).toBeTruthy();
    await screen.findByText('user:Alice Liddell');
    expect(sessionReads()).toBe(1);
  });

  it('login navigates to the BFF login route with returnTo; a bad returnTo is a typed error', async () => {
    bff.signedIn = false;
    const navigate = captureNavigation();
    const session = renderSession();
    await screen.findByText('anonymous');
    act(() => void session().login('demo', { returnTo: '/app/profile' }));
    expect(navigate).toHaveBeenCalledWith(`/bff/login/demo?returnTo=${encodeURIComponent('/app/profile')}`);
    expect(() => act(() => void session().login('demo', { returnTo: 'https://evil.example/' }))).toThrow(
      expect.objectContaining({ code: 'invalid_return_to' }),
    );
    await screen.findByText('anonymous error:invalid_return_to');
  });

  it('shows a failed login the BFF redirected back with, once, and cleans the address bar', async () => {
    bff.signedIn = false;
    setPageUrl(`${bff.url}/app/home?${LOGIN_ERROR_PARAM}=authorization_denied&${LOGIN_ERROR_PROVIDER_PARAM}=demo`);
    const session = renderSession({ strict: true });
    await screen.findByText('anonymous error:authorization_denied');
    expect(session().error).toBeInstanceOf(BffClientError);
    expect((session().error as BffClientError).provider).toBe('demo');
    expect(location.href).toBe(`${bff.url}/app/home`);
  });

  it('fetch goes through the proxy with the CSRF header; logout ends the session', async () => {
    const session = renderSession();
    await screen.findByText('user:Alice Liddell');
    const response = await session().fetch('demo', '/me');
    expect(await response.json()).toEqual({ sub: 'u-alice', path: '/bff/api/demo/me', csrf: '1' });

    await act(() => session().logout());
    await screen.findByText('anonymous');
    expect(bff.log.find((entry) => entry.url === '/bff/logout')?.csrf).toBe('1');
  });

  it('a login_required refusal from the proxy re-reads the session, so the UI shows the logout', async () => {
    const session = renderSession();
    await screen.findByText('user:Alice Liddell');
    bff.signedIn = false; // the session expired at the BFF
    const error = await act(() =>
      session()
        .fetch('demo', '/me')
        .catch((failure: unknown) => failure),
    );
    expect(isLatchkeyError(error, 'login_required')).toBe(true);
    await screen.findByText('anonymous');
  });

  it('useBffSession outside a BffProvider is a ConfigurationError', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => render(<Session />)).toThrow(ConfigurationError);
  });
});
