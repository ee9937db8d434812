import { randomBytes } from 'node:crypto';
import { ConfigurationError } from '@latchkey/common';
import type { KeyValueStore } from '../storage/key-value-store.js';
import {
  GRANT_TYPES,
  REGISTERED_CLIENT_AUTH_METHODS,
  type ClientRecord,
  type GrantType,
  type OAuth1ClientSettings,
  type RegisteredClientAuthMethod,
} from './client-record.js';

/** What a caller gives to register a client; everything but `redirectUris` has a default. */
export interface ClientInput {
  /** Generated when absent. */
  clientId?: string;
  /** Generated for confidential clients when absent; must be absent for `none`. */
  clientSecret?: string;
  /** Default: the client id. */
  name?: string;
  redirectUris?: string[];
  /** Where `/oauth/logout` may redirect after logout. Default: none. */
  postLogoutRedirectUris?: string[];
  /** Default: `['authorization_code', 'refresh_token']`. */
  grantTypes?: GrantType[];
  /** Default: `['openid', 'profile', 'email', 'offline_access']`. */
  scopes?: string[];
  /** Default: `client_secret_basic`. */
  tokenEndpointAuthMethod?: RegisteredClientAuthMethod;
  oauth1?: OAuth1ClientSettings;
  /** May introspect any client's tokens (RFC 7662 section 2.1); confidential clients only. Default false. */
  resourceServer?: boolean;
  /** Refuse this client's authorization requests unless pushed (RFC 9126 section 6). Default false. */
  requirePushedAuthorizationRequests?: boolean;
  /** RFC 9449 section 5.2 `dpop_bound_access_tokens`: token requests without a DPoP proof are refused. Default false. */
  dpopBoundAccessTokens?: boolean;
  /**
   * Back-Channel Logout 1.0 `backchannel_logout_uri`: https, or http on loopback (`127.0.0.1`, `[::1]`,
   * `localhost`); no fragment. Default: none (the client is not told of logouts).
   */
  backchannelLogoutUri?: string;
  /** Back-Channel Logout 1.0 `backchannel_logout_session_required`; needs `backchannelLogoutUri`. Default false. */
  backchannelLogoutSessionRequired?: boolean;
}

export interface ClientRegistry {
  get(clientId: string): Promise<ClientRecord | undefined>;
  register(input: ClientInput): Promise<ClientRecord>;
  list(): Promise<ClientRecord[]>;
}

export const DEFAULT_CLIENT_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const INDEX_KEY = 'clients:index';
const clientKey = (clientId: string) => `client:${clientId}`;

function isAbsoluteRedirectUri(uri: string): boolean {
  // RFC 6749 section 3.1.2: absolute URI, no fragment. `oob` is OAuth 1's out-of-band marker.
  if (uri === 'oob') return true;
  try {
    const url = new URL(uri);
    return url.hash === '' && !uri.includes('#');
  } catch {
    return false;
  }
}

/**
 * Back-Channel Logout 1.0 section 2.2: an absolute URI without a fragment. The provider itself calls it
 * with a token, so plain http is allowed only where nothing on the network can read it: loopback.
 */
function checkBackchannelLogoutUri(uri: unknown): string {
  const refuse = (cause?: unknown) =>
    new ConfigurationError(
      'backchannelLogoutUri',
      'backchannelLogoutUri must be an https URI (http only on loopback) without a fragment.',
      cause === undefined ? {} : { cause },
    );
  if (typeof uri !== 'string' || uri.includes('#')) throw refuse();
  let url: URL;
  try {
    url = new URL(uri);
  } catch (cause) {
    throw refuse(cause);
  }
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (url.username !== '' || url.password !== '') throw refuse();
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw refuse();
  return uri;
}

/** Validates a client registration; throws `ConfigurationError` naming the bad field. */
function toClientRecord(input: ClientInput, nowSeconds: number): ClientRecord {
  const method = input.tokenEndpointAuthMethod ?? 'client_secret_basic';
  if (!(REGISTERED_CLIENT_AUTH_METHODS as readonly string[]).includes(method)) {
    throw new ConfigurationError('tokenEndpointAuthMethod', `Unsupported tokenEndpointAuthMethod "${method}".`);
  }
  const grantTypes = input.grantTypes ?? ['authorization_code', 'refresh_token'];
  for (const grant of grantTypes) {
    if (!(GRANT_TYPES as readonly string[]).includes(grant)) {
      throw new ConfigurationError('grantTypes', `Unsupported grant type "${grant}".`);
    }
  }
  const redirectUris = input.redirectUris ?? [];
  const postLogoutRedirectUris = input.postLogoutRedirectUris ?? [];
  for (const uri of [...redirectUris, ...postLogoutRedirectUris, ...(input.oauth1?.callbackUris ?? [])]) {
    if (!isAbsoluteRedirectUri(uri)) {
      throw new ConfigurationError('redirectUris', 'Redirect URIs must be absolute URIs without a fragment.');
    }
  }
  if (method === 'none' && input.clientSecret !== undefined) {
    throw new ConfigurationError('clientSecret', 'A public client (tokenEndpointAuthMethod "none") has no secret.');
  }
  if (input.resourceServer !== undefined && typeof input.resourceServer !== 'boolean') {
    throw new ConfigurationError('resourceServer', 'resourceServer must be true or false.');
  }
  if (input.resourceServer === true && method === 'none') {
    throw new ConfigurationError(
      'resourceServer',
      'A resource server authenticates at the introspection endpoint: it cannot be a public client.',
    );
  }
  if (input.requirePushedAuthorizationRequests !== undefined && typeof input.requirePushedAuthorizationRequests !== 'boolean') {
    throw new ConfigurationError('requirePushedAuthorizationRequests', 'requirePushedAuthorizationRequests must be true or false.');
  }
  if (input.dpopBoundAccessTokens !== undefined && typeof input.dpopBoundAccessTokens !== 'boolean') {
    throw new ConfigurationError('dpopBoundAccessTokens', 'dpopBoundAccessTokens must be true or false.');
  }
  const backchannelLogoutUri = input.backchannelLogoutUri === undefined ? undefined : checkBackchannelLogoutUri(input.backchannelLogoutUri);
  if (input.backchannelLogoutSessionRequired !== undefined && typeof input.backchannelLogoutSessionRequired !== 'boolean') {
    throw new ConfigurationError('backchannelLogoutSessionRequired', 'backchannelLogoutSessionRequired must be true or false.');
  }
  if (input.backchannelLogoutSessionRequired === true && backchannelLogoutUri === undefined) {
    throw new ConfigurationError('backchannelLogoutSessionRequired', 'backchannelLogoutSessionRequired needs a backchannelLogoutUri.');
  }
  const clientId = input.clientId ?? randomBytes(12).toString('base64url');
  const record: ClientRecord = {
    clientId,
    name: input.name ?? clientId,
    redirectUris: [...redirectUris],
    grantTypes: [...grantTypes],
    scopes: [...(input.scopes ?? DEFAULT_CLIENT_SCOPES)],
    tokenEndpointAuthMethod: method,
    createdAt: nowSeconds,
  };
  if (input.resourceServer === true) record.resourceServer = true;
  if (input.requirePushedAuthorizationRequests === true) record.requirePushedAuthorizationRequests = true;
  if (postLogoutRedirectUris.length > 0) record.postLogoutRedirectUris = [...postLogoutRedirectUris];
  if (input.dpopBoundAccessTokens === true) record.dpopBoundAccessTokens = true;
  if (backchannelLogoutUri !== undefined) record.backchannelLogoutUri = backchannelLogoutUri;
  if (input.backchannelLogoutSessionRequired === true) record.backchannelLogoutSessionRequired = true;
  // OAuth 1 clients always have a consumer secret: even RSA-SHA1 clients may fall back to HMAC.
  if (method !== 'none' || input.oauth1) record.clientSecret = input.clientSecret ?? randomBytes(24).toString('base64url');
  if (input.oauth1) {
    record.oauth1 = { callbackUris: [...input.oauth1.callbackUris] };
    if (input.oauth1.rsaPublicKey) record.oauth1.rsaPublicKey = input.oauth1.rsaPublicKey;
  }
  return record;
}

export function createClientRegistry(storage: KeyValueStore, now: () => number = Date.now): ClientRegistry {
  return {
    get: (clientId) => storage.get<ClientRecord>(clientKey(clientId)),
    async register(input) {
      const record = toClientRecord(input, Math.floor(now() / 1000));
      await storage.set(clientKey(record.clientId), record);
      const index = (await storage.get<string[]>(INDEX_KEY)) ?? [];
      if (!index.includes(record.clientId)) await storage.set(INDEX_KEY, [...index, record.clientId]);
      return record;
    },
    async list() {
      const index = (await storage.get<string[]>(INDEX_KEY)) ?? [];
      const records = await Promise.all(index.map((id) => storage.get<ClientRecord>(clientKey(id))));
      return records.filter((record): record is ClientRecord => record !== undefined);
    },
  };
}
