import type { Context } from 'koa';
import type { Dispatcher } from 'undici';
import { BffError } from '../errors.js';
import type { ProtectedRequest } from '../config/client-config.js';
import { createPathJoiner, type ApiTarget } from '../http/join-path.js';
import { checkProxiedMethod, type ProxiedMethod } from '../http/methods.js';
import type { TokenManager } from '../tokens/token-manager.js';
import { tokenIdentity, type OAuthToken } from '../tokens/token.js';
import { authorizeRequest, checkTokenPlacement, withBearerHeader, type RequestAuthorizer } from './authorize.js';
import type { UpstreamPools, UpstreamRequest } from './upstream.js';
import { credentialsInUrl, echoesCredential } from './url-credentials.js';
import { createDPoPSender } from './dpop-sender.js';
import type { DPoPKeys } from '../dpop/dpop-key.js';
import type { ApiCall, RemoteClient, RequestOptions } from '../api/remote-client.js';

export interface RemoteClientParts {
  /** The provider's configuration, and its OAuth 1 signer. */
  provider: RequestAuthorizer;
  tokens: TokenManager;
  pools: UpstreamPools;
  /** The provider's imported DPoP keys, shared with its token endpoint calls. */
  dpopKeys: DPoPKeys;
  /** Milliseconds since the epoch (the `iat` of DPoP proofs). */
  now: () => number;
}

export function createRemoteClient(parts: RemoteClientParts): RemoteClient {
  const { provider, tokens, pools } = parts;
  const sendWithProof = createDPoPSender(pools, parts.dpopKeys, parts.now);
  const { config } = provider;
  const hookContext = { provider: config.name };
  const join = config.apiBaseUrl === undefined ? undefined : createPathJoiner(new URL(config.apiBaseUrl));

  // The method, the path and the token placement are checked before any token lookup, so a refused
  // call never causes a refresh either.
  const target = (call: ApiCall): ApiTarget => {
    checkProxiedMethod(call.method);
    if (join === undefined) throw new BffError('not_found', `${config.name} has no API configured.`);
    const joined = join(call.rawPath, call.rawQuery);
    checkTokenPlacement(config, call.method, call.headers, call.body);
    return joined;
  };
  // The usual call, a bearer token in the header and no hook to show the request to, needs no URL object.
  const bearerHeaderOnly =
    config.protocol === 'oauth2' && config.clientKwargs.tokenPlacement === 'header' && config.complianceFix.protectedRequest === undefined;

  const dispatch = (call: ApiCall, to: ApiTarget, token: OAuthToken): Promise<Dispatcher.ResponseData> => {
    if (bearerHeaderOnly && token.kind === 'oauth2' && token.dpopKey === undefined) {
      const headers = withBearerHeader(call.headers, token.accessToken);
      const request: UpstreamRequest = { method: call.method, origin: to.origin, path: to.path, headers };
      if (call.body !== undefined) request.body = call.body;
      return pools.request(request, config.clientKwargs.timeoutMs, call.signal);
    }
    return dispatchAuthorized(call, to, token);
  };

  /** Any other call: the token attached as the provider takes it, the request shown to its hook, DPoP proven. */
  const dispatchAuthorized = async (call: ApiCall, to: ApiTarget, token: OAuthToken): Promise<Dispatcher.ResponseData> => {
    const timeoutMs = config.clientKwargs.timeoutMs;
    const unsigned: ProtectedRequest = { method: call.method, url: new URL(`${to.origin}${to.path}`), headers: { ...call.headers } };
    if (call.body !== undefined) unsigned.body = call.body;
    let request = authorizeRequest(unsigned, token, provider);
    if (config.complianceFix.protectedRequest) request = await config.complianceFix.protectedRequest(request, hookContext);
    const { url } = request;
    const credentials = credentialsInUrl(url, token);
    let response: Dispatcher.ResponseData;
    if (token.kind === 'oauth2' && token.dpopKey !== undefined) {
      response = await sendWithProof(request, { accessToken: token.accessToken, dpopKey: token.dpopKey }, timeoutMs, call.signal);
    } else {
      const sent: UpstreamRequest = {
        method: request.method,
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        headers: request.headers,
      };
      if (request.body !== undefined) sent.body = request.body;
      response = await pools.request(sent, timeoutMs, call.signal);
    }
    // A token that travelled in the URL must not come back in Location, Content-Location or any other
    // header: refused rather than stripped, since the server may echo it under another name or nested in
    // another URL, and a redirect that needs the token cannot be followed by a browser that has none.
    if (credentials.length > 0 && echoesCredential(response.headers, credentials)) {
      await response.body.dump().catch(() => undefined);
      throw new BffError('upstream_token_echo', 'The API answered with the access token in a header; the answer was not passed on.');
    }
    return response;
  };

  const send: RemoteClient['send'] = async (call, ctx, fixed) => {
    const to = target(call);
    const token = fixed ?? (await tokens.get(ctx));
    const first = await dispatch(call, to, token);
    if (first.statusCode !== 401 || fixed !== undefined || token.kind === 'oauth1') return first;
    // RFC 6750 section 3.1: the token may have been revoked or expired early; refresh once, retry once.
    let renewed: OAuthToken;
    try {
      renewed = await tokens.get(ctx, token);
    } catch (error) {
      await first.body.dump();
      throw error;
    }
    // The same token back: a refresh already answered a 401 to it, so this 401 is the API's answer.
    if (tokenIdentity(renewed) === tokenIdentity(token)) return first;
    await first.body.dump();
    return dispatch(call, to, renewed);
  };

  const request: RemoteClient['request'] = async (method, path, options = {}) => {
    const [rawPathWithSlash = '', ...queryParts] = path.split('?');
    const rawPath = rawPathWithSlash.startsWith('/') ? rawPathWithSlash.slice(1) : rawPathWithSlash;
    const query = new URLSearchParams(queryParts.join('?'));
    for (const [name, value] of Object.entries(options.params ?? {})) query.append(name, value);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
    let body: Buffer | undefined;
    if (options.json !== undefined) {
      body = Buffer.from(JSON.stringify(options.json));
      headers['content-type'] = 'application/json';
    } else if (options.form !== undefined) {
      body = Buffer.from(new URLSearchParams(options.form).toString());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (options.body !== undefined) {
      body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    }
    const call: ApiCall = {
      method: method.toUpperCase(),
      rawPath,
      rawQuery: query.toString(),
      headers,
      ...(body === undefined ? {} : { body }),
    };
    const response = await send(call, options.ctx, options.token);
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
      text: () => response.body.text(),
      json: <T>() => response.body.json() as Promise<T>,
    };
  };

  return Object.freeze({
    name: config.name,
    protocol: config.protocol,
    request,
    send,
    ...methodShortcuts(request),
  });
}

/** The same client with `token` used for every call (e.g. inside `userInfo`, before the session exists). */
export function bindToken(client: RemoteClient, token: OAuthToken): RemoteClient {
  const request: RemoteClient['request'] = (method, path, options = {}) => client.request(method, path, { ...options, token });
  return Object.freeze({
    name: client.name,
    protocol: client.protocol,
    request,
    send: (call: ApiCall, ctx: Context | undefined) => client.send(call, ctx, token),
    ...methodShortcuts(request),
  });
}

type MethodShortcuts = Pick<RemoteClient, 'get' | 'post' | 'put' | 'patch' | 'delete'>;

/** `client.get(path)` and its siblings: `request` with the method named, each one the proxy carries too. */
function methodShortcuts(request: RemoteClient['request']): MethodShortcuts {
  const shortcut = (method: ProxiedMethod) => (path: string, options?: RequestOptions) => request(method, path, options);
  return { get: shortcut('GET'), post: shortcut('POST'), put: shortcut('PUT'), patch: shortcut('PATCH'), delete: shortcut('DELETE') };
}
