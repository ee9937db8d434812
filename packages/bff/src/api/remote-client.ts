import type { EventEmitter } from 'node:events';
import type { Context } from 'koa';
import type { Dispatcher } from 'undici';
import type { OAuthToken } from '../tokens/token.js';

/**
 * The shape of a provider's API client, apart from how `client/` builds it: `ClientConfig.userInfo`
 * receives one, so the configuration's types need it without needing the client.
 */

/** Stops a request when it emits `abort`: an `AbortSignal`, or an `EventEmitter` as undici accepts. */
export type UpstreamSignal = AbortSignal | EventEmitter;

/** Options of one programmatic API call. */
export interface RequestOptions {
  /** The request whose BFF session holds the token (or that `fetchToken` receives). */
  ctx?: Context;
  /** Use this token instead of looking one up (no refresh). */
  token?: OAuthToken;
  /** Query parameters added to the path's own. */
  params?: Record<string, string>;
  /** Extra request headers (lower-case names win over nothing; `authorization` is replaced). */
  headers?: Record<string, string>;
  /** A JSON body (sets `content-type`). */
  json?: unknown;
  /** A form body (sets `content-type`; signed by OAuth 1). */
  form?: Record<string, string>;
  /** A raw body. */
  body?: string | Buffer;
}

/** The answer of a provider's API. */
export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body stream; read it once, with `text()`, `json()` or by piping `body`. */
  body: Dispatcher.ResponseData['body'];
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
}

/** What the proxy and the programmatic client send: a path under `apiBaseUrl`, still raw. */
export interface ApiCall {
  method: string;
  /** Path under `apiBaseUrl`, percent-encoded, without a leading slash. */
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Abandons the upstream request (and a retry) when it fires, e.g. because the browser went away. */
  signal?: UpstreamSignal;
}

/** A provider's API client: `oauth.client('github').get('user', { ctx })`. */
export interface RemoteClient {
  readonly name: string;
  readonly protocol: 'oauth2' | 'oauth1';
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  get(path: string, options?: RequestOptions): Promise<ApiResponse>;
  post(path: string, options?: RequestOptions): Promise<ApiResponse>;
  put(path: string, options?: RequestOptions): Promise<ApiResponse>;
  patch(path: string, options?: RequestOptions): Promise<ApiResponse>;
  delete(path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** Sends a call with the token attached; on a 401 refreshes once and retries once. */
  send(call: ApiCall, ctx: Context | undefined, token?: OAuthToken): Promise<Dispatcher.ResponseData>;
}
