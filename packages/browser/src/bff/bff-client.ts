import {
  BFF_ERROR_HEADER,
  CSRF_HEADER,
  CSRF_HEADER_VALUE,
  DEFAULT_BFF_BASE_PATH,
  LOGIN_ERROR_PARAM,
  LOGIN_ERROR_PROVIDER_PARAM,
  bffRoutes,
  isBffErrorCode,
  isDotSegment,
  proxyPathSegment,
  sameOriginPath,
  type BffErrorBody,
  type BffLogoutResponse,
  type BffProviderInfo,
  type BffProvidersResponse,
  type BffSessionResponse,
} from '@latchkey/common';
import { cleanAddressBar } from '../page/address-bar.js';
import { BffClientError } from './bff-error.js';

export interface BffClientOptions {
  /** Where the BFF is mounted on this origin. Default `'/bff'`. */
  baseUrl?: string;
}

export interface BffLoginOptions {
  /** Same-origin path the BFF sends the user back to. Default: the current path. */
  returnTo?: string;
  /** `false` returns the login URL instead of navigating to it. Default true. */
  redirect?: boolean;
}

export interface BffLogoutOptions {
  /**
   * Also end the provider's session (OpenID Connect RP-Initiated Logout): the browser goes to the
   * provider, which sends it back through the BFF to `returnTo`. Default false: the BFF session only.
   */
  endSession?: boolean;
  /** Same-origin path to land on after the provider's logout. Default `/`. */
  returnTo?: string;
  /** Which linked provider's session to end. Default: the first that offers it. */
  provider?: string;
}

export interface BffClient {
  /** Navigates to the BFF's login route for `provider`; returns the URL. */
  login(provider: string, options?: BffLoginOptions): string;
  /** Who is logged in and which providers are linked (never tokens). */
  session(): Promise<BffSessionResponse>;
  /** The providers the BFF offers, for "Log in with ..." buttons. */
  providers(): Promise<BffProviderInfo[]>;
  /** Calls `provider`'s API through the BFF proxy; upstream answers (even 4xx/5xx) come back as they are. */
  fetch(provider: string, path: string, init?: RequestInit): Promise<Response>;
  /** Ends the BFF session; with `endSession`, navigates to the provider to end its session too, when it offers that. */
  logout(options?: BffLogoutOptions): Promise<void>;
  /** Unlinks one provider (revoking its tokens) and keeps the session. */
  disconnect(provider: string): Promise<void>;
  /** The error of a failed login the BFF redirected back with, removed from the address bar; `null` if none. */
  takeLoginError(url?: string | URL): BffClientError | null;
}

async function errorOf(response: Response): Promise<BffClientError> {
  const body = (await response.json().catch(() => null)) as Partial<BffErrorBody> | null;
  const code = body?.error?.code ?? response.headers.get(BFF_ERROR_HEADER);
  return new BffClientError(
    isBffErrorCode(code) ? code : response.status === 404 ? 'not_found' : 'internal_error',
    typeof body?.error?.message === 'string' ? body.error.message : `The BFF answered HTTP ${response.status}.`,
    { status: response.status },
  );
}

/**
 * The proxied part of a `fetch` URL: each path segment checked and encoded by the BFF's own rule, the
 * query and fragment as given. Checked here as well, because the browser resolves `..`, `%2e%2e` and
 * `\\` before the BFF sees them: `items/../../logout` would reach another BFF route.
 */
function proxiedPath(provider: string, path: string): string {
  const relative = path.replace(/^\/+/, '');
  const end = relative.search(/[?#]/);
  const segments = (end === -1 ? relative : relative.slice(0, end)).split('/').map((raw) => (raw === '' ? raw : proxyPathSegment(raw)));
  if (isDotSegment(provider) || segments.includes(undefined)) {
    throw new BffClientError('invalid_proxy_path', 'That API path is not allowed.');
  }
  return `${bffRoutes.api(provider)}/${segments.join('/')}${end === -1 ? '' : relative.slice(end)}`;
}

/**
 * A client for the Latchkey BFF: the browser holds only the BFF's HttpOnly session cookie, and every
 * call carries the CSRF header the BFF requires (a cross-site form cannot set it).
 */
export function createBffClient(options: BffClientOptions = {}): BffClient {
  const base = (options.baseUrl ?? DEFAULT_BFF_BASE_PATH).replace(/\/+$/, '');

  async function send(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set(CSRF_HEADER, CSRF_HEADER_VALUE);
    try {
      return await fetch(base + path, { ...init, headers, credentials: 'same-origin' });
    } catch (cause) {
      throw new BffClientError('network_error', 'The BFF could not be reached.', { cause });
    }
  }
  async function json<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await send(path, init);
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }
  async function post(path: string, body?: object): Promise<Response> {
    const json = body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    const response = await send(path, { method: 'POST', ...json });
    if (!response.ok) throw await errorOf(response);
    return response;
  }
  function checkedPath(path: string): string {
    const checked = sameOriginPath(path, location.origin);
    if (checked === null) throw new BffClientError('invalid_return_to', 'returnTo must be a path on this origin.');
    return checked;
  }

  return Object.freeze({
    login(provider: string, { returnTo, redirect }: BffLoginOptions = {}) {
      const path = checkedPath(returnTo ?? location.pathname + location.search + location.hash);
      const url = `${base}${bffRoutes.login(provider)}?returnTo=${encodeURIComponent(path)}`;
      if (redirect !== false) location.assign(url);
      return url;
    },
    session: () => json<BffSessionResponse>(bffRoutes.session),
    async providers() {
      return (await json<BffProvidersResponse>(bffRoutes.providers)).providers;
    },
    async fetch(provider: string, path: string, init?: RequestInit) {
      const response = await send(proxiedPath(provider, path), init);
      if (response.headers.has(BFF_ERROR_HEADER)) throw await errorOf(response);
      return response;
    },
    async logout({ endSession, returnTo, provider }: BffLogoutOptions = {}) {
      if (endSession !== true) return void (await post(bffRoutes.logout));
      const response = await post(bffRoutes.logout, { endSession, returnTo: checkedPath(returnTo ?? '/'), provider });
      // 204: no linked provider offers an end-session endpoint; the BFF session is ended all the same.
      if (response.status === 200) location.assign(((await response.json()) as BffLogoutResponse).endSessionUrl);
    },
    async disconnect(provider: string) {
      await post(bffRoutes.disconnect(provider));
    },
    takeLoginError(input: string | URL = location.href) {
      const url = new URL(input, location.href);
      const code = url.searchParams.get(LOGIN_ERROR_PARAM);
      if (code === null) return null;
      cleanAddressBar(url, [LOGIN_ERROR_PARAM, LOGIN_ERROR_PROVIDER_PARAM]);
      return new BffClientError(isBffErrorCode(code) ? code : 'login_failed', 'The login did not complete.', {
        provider: url.searchParams.get(LOGIN_ERROR_PROVIDER_PARAM) ?? undefined,
      });
    },
  });
}
