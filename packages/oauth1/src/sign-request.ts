/**
 * RFC 5849 section 3.1 (making requests) and 3.5 (parameter transmission): adds the protocol
 * parameters, signs the request and places them in the header, the query or the form body.
 */
import { randomBytes } from 'node:crypto';
import { ConfigurationError } from '@latchkey/common';
import { buildAuthorizationHeader } from './authorization-header.js';
import { parseRequestUrl, signatureBaseString } from './base-string.js';
import type { ParameterList } from './parameters.js';
import { percentEncode } from './percent-encoding.js';
import { decodeForm, FORM_CONTENT_TYPE } from './request.js';
import { checkExtraSignatureMethods, getSignatureMethod, type SignatureMethodOptions } from './signature-methods/registry.js';
import type { SigningKeys } from './signature-methods/signature-method.js';

/** Section 3.5: where the protocol parameters travel. */
export type SignaturePlacement = 'header' | 'query' | 'body';

export interface SignOptions extends SignatureMethodOptions {
  /** HTTP method; sent upper-case. */
  method: string;
  /** Absolute request URL; its query parameters are signed. */
  url: string;
  /** Form parameters for a form-encoded body (signed, and sent in the body). Default: no body. */
  form?: Record<string, string> | ParameterList;
  /** The client identifier (`oauth_consumer_key`). Required. */
  consumerKey: string;
  /** The token (`oauth_token`), when the request carries one. Default: none. */
  token?: string;
  /** Secrets or RSA key for the signature method. */
  keys: SigningKeys;
  /** `oauth_signature_method`: a built-in one or a key of `extraSignatureMethods`; default `'HMAC-SHA1'`. */
  signatureMethod?: string;
  /** Where the protocol parameters go; default `'header'`. */
  placement?: SignaturePlacement;
  /** Further protocol parameters, e.g. `{ oauth_callback }` or `{ oauth_verifier }`. Default: none. */
  oauthParams?: Record<string, string>;
  /** `realm` of the Authorization header (header placement only). Default: none. */
  realm?: string;
  /** Fixed `oauth_nonce` (tests); default 128 random bits. */
  nonce?: string;
  /** Fixed `oauth_timestamp` in seconds (tests); default now. */
  timestamp?: number;
}

export interface SignedRequest {
  method: string;
  url: string;
  /** Lower-case names: `authorization` and/or `content-type`. */
  headers: Record<string, string>;
  /** The form-encoded body, when there is one. */
  body?: string;
}

// Set by signRequest itself; callers cannot override them through oauthParams.
const RESERVED = new Set([
  'oauth_consumer_key',
  'oauth_token',
  'oauth_signature_method',
  'oauth_signature',
  'oauth_timestamp',
  'oauth_nonce',
]);

function protocolParameters(options: SignOptions, signatureMethod: string): Array<[string, string]> {
  if (typeof options.consumerKey !== 'string' || options.consumerKey === '') {
    throw new ConfigurationError('consumerKey', 'consumerKey is required.');
  }
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(timestamp) || timestamp <= 0) {
    throw new ConfigurationError('timestamp', 'timestamp must be a positive whole number of seconds.');
  }
  if (options.nonce === '') throw new ConfigurationError('nonce', 'nonce must not be empty.');
  const params: Array<[string, string]> = [['oauth_consumer_key', options.consumerKey]];
  if (options.token !== undefined) params.push(['oauth_token', options.token]);
  params.push(
    ['oauth_signature_method', signatureMethod],
    ['oauth_timestamp', String(timestamp)],
    ['oauth_nonce', options.nonce ?? randomBytes(16).toString('base64url')],
  );
  for (const [name, value] of Object.entries(options.oauthParams ?? {})) {
    if (!name.startsWith('oauth_') || RESERVED.has(name)) {
      throw new ConfigurationError('oauthParams', `oauthParams cannot set ${name}.`);
    }
    params.push([name, value]);
  }
  return params;
}

function formParameters(form: SignOptions['form']): ParameterList | undefined {
  if (form === undefined) return undefined;
  return Array.isArray(form) ? form.map(([name, value]): [string, string] => [name, value]) : Object.entries(form);
}

function encodePairs(params: ParameterList): string {
  return params.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&');
}

/** Signs a request; returns what to send. Nothing of `options` is modified. */
export function signRequest(options: SignOptions): SignedRequest {
  const method = options.method.toUpperCase();
  const placement = options.placement ?? 'header';
  const signatureMethodName = options.signatureMethod ?? 'HMAC-SHA1';
  checkExtraSignatureMethods(options.extraSignatureMethods);
  const signatureMethod = getSignatureMethod(signatureMethodName, options);
  const url = parseRequestUrl(options.url);
  const form = formParameters(options.form);
  if (placement === 'body' && (method === 'GET' || method === 'HEAD')) {
    throw new ConfigurationError('placement', `A ${method} request has no body to carry the parameters.`);
  }

  const oauth = protocolParameters(options, signatureMethodName);
  const signed: ParameterList = [...decodeForm(url.search.slice(1)), ...(form ?? []), ...oauth];
  const signature = signatureMethod.sign(signatureBaseString(method, url, signed), options.keys);
  const protocol: ParameterList = [...oauth, ['oauth_signature', signature]];

  const headers: Record<string, string> = {};
  let requestUrl = options.url;
  let bodyParams = form;
  if (placement === 'header') {
    headers.authorization = buildAuthorizationHeader(Object.fromEntries(protocol), options.realm);
  } else if (placement === 'query') {
    // Appended to the query as sent, so the caller's own encoding of it is kept.
    const withoutFragment = url.hash === '' ? options.url : options.url.slice(0, options.url.lastIndexOf('#'));
    const separator = url.search === '' ? (withoutFragment.endsWith('?') ? '' : '?') : '&';
    requestUrl = `${withoutFragment}${separator}${encodePairs(protocol)}`;
  } else {
    bodyParams = [...(form ?? []), ...protocol];
  }

  if (bodyParams === undefined) return { method, url: requestUrl, headers };
  headers['content-type'] = FORM_CONTENT_TYPE;
  return { method, url: requestUrl, headers, body: encodePairs(bodyParams) };
}
