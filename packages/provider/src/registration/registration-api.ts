import type { Middleware } from 'koa';
import { type ConfigurationError, isLatchkeyError } from '@latchkey/common';
import { constantTimeEqual } from '../constant-time.js';
import type { ClientInput } from '../clients/client-registry.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { readRawBody } from '../http/body.js';
import type { ProviderRuntime } from '../runtime.js';

const INPUT_FIELDS = [
  'clientId',
  'clientSecret',
  'name',
  'redirectUris',
  'postLogoutRedirectUris',
  'grantTypes',
  'scopes',
  'tokenEndpointAuthMethod',
  'oauth1',
  'resourceServer',
  'requirePushedAuthorizationRequests',
  'backchannelLogoutUri',
  'backchannelLogoutSessionRequired',
  'dpopBoundAccessTokens',
] as const;

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Checks the JSON shape of a registration; the registry then validates the values. */
function parseClientInput(value: unknown): ClientInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('invalid_request', 'The body must be a JSON object.');
  }
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(INPUT_FIELDS as readonly string[]).includes(key))
      throw new ProtocolError('invalid_request', `Unknown field ${key.replace(/[^A-Za-z0-9_]/g, '').slice(0, 40)}.`);
  }
  for (const key of ['clientId', 'clientSecret', 'name', 'tokenEndpointAuthMethod', 'backchannelLogoutUri'] as const) {
    if (input[key] !== undefined && typeof input[key] !== 'string') throw new ProtocolError('invalid_request', `${key} must be a string.`);
  }
  for (const key of ['redirectUris', 'postLogoutRedirectUris', 'grantTypes', 'scopes'] as const) {
    if (input[key] !== undefined && !isStringArray(input[key]))
      throw new ProtocolError('invalid_request', `${key} must be an array of strings.`);
  }
  for (const key of [
    'resourceServer',
    'requirePushedAuthorizationRequests',
    'backchannelLogoutSessionRequired',
    'dpopBoundAccessTokens',
  ] as const) {
    if (input[key] !== undefined && typeof input[key] !== 'boolean')
      throw new ProtocolError('invalid_request', `${key} must be a boolean.`);
  }
  const oauth1 = input.oauth1 as { callbackUris?: unknown; rsaPublicKey?: unknown } | undefined;
  if (oauth1 !== undefined) {
    if (typeof oauth1 !== 'object' || oauth1 === null || !isStringArray(oauth1.callbackUris)) {
      throw new ProtocolError('invalid_request', 'oauth1.callbackUris must be an array of strings.');
    }
    if (oauth1.rsaPublicKey !== undefined && typeof oauth1.rsaPublicKey !== 'string') {
      throw new ProtocolError('invalid_request', 'oauth1.rsaPublicKey must be a string.');
    }
  }
  return input as ClientInput;
}

/** Registers a client, turning the registry's `ConfigurationError` into `invalid_request`; never overwrites one. */
export async function registerNewClient(runtime: ProviderRuntime, input: ClientInput) {
  if (input.clientId !== undefined && (await runtime.context.clients.get(input.clientId))) {
    throw new ProtocolError('invalid_request', 'This client id is taken.');
  }
  try {
    return await runtime.context.clients.register(input);
  } catch (cause) {
    if (isLatchkeyError(cause, 'configuration_error')) {
      throw new ProtocolError('invalid_request', `Invalid ${(cause as ConfigurationError).option}: ${cause.message}`, { cause });
    }
    throw cause;
  }
}

/** POST /clients: JSON registration guarded by `adminToken` (compared in constant time). */
export function registrationApi(runtime: ProviderRuntime): Middleware {
  const adminToken = runtime.adminToken ?? '';
  return async (ctx) => {
    ctx.set('cache-control', 'no-store');
    const match = /^Bearer +(\S+) *$/i.exec(ctx.get('authorization'));
    if (!match?.[1] || adminToken === '' || !constantTimeEqual(match[1], adminToken)) {
      throw new ProtocolError('invalid_token', 'The admin token is missing or wrong.', { challenge: 'Bearer' });
    }
    if (!ctx.request.is('application/json')) throw new ProtocolError('invalid_request', 'The body must be application/json.');
    let body: unknown;
    try {
      body = JSON.parse((await readRawBody(ctx)).toString('utf8'));
    } catch (cause) {
      if (cause instanceof ProtocolError) throw cause;
      throw new ProtocolError('invalid_request', 'The body is not valid JSON.', { cause });
    }
    const record = await registerNewClient(runtime, parseClientInput(body));
    ctx.status = 201;
    ctx.body = record;
  };
}
