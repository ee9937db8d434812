/**
 * RFC 5849 section 3.1 and 3.5: the server side reading of protocol parameters. They must all
 * come from one placement, required ones must be present, and `oauth_version`, if sent, is 1.0.
 */
import { OAuth1Error } from './errors.js';
import type { ParameterList } from './parameters.js';
import { readParameterSources, type OAuth1Request } from './request.js';
import type { SignaturePlacement } from './sign-request.js';
import { getSignatureMethod, type SignatureMethodOptions } from './signature-methods/registry.js';

export interface ReceivedOAuthParameters {
  consumerKey: string;
  token?: string;
  signatureMethod: string;
  signature: string;
  /** Seconds since the epoch; `NaN` only when a PLAINTEXT request leaves it out (section 3.1). */
  timestamp: number;
  /** `''` only when a PLAINTEXT request leaves it out (section 3.1). */
  nonce: string;
  callback?: string;
  verifier?: string;
  version?: string;
  /** Where the protocol parameters came from. */
  placement: SignaturePlacement;
  /** Every signed parameter (query, body, header; `realm` and `oauth_signature` excluded). */
  params: ParameterList;
}

const PLACEMENTS: readonly SignaturePlacement[] = ['header', 'query', 'body'];
const TIMESTAMP = /^[1-9][0-9]*$/;

function protocolOnly(params: ParameterList | undefined): ParameterList {
  return (params ?? []).filter(([name]) => name.startsWith('oauth_'));
}

function absent(parameter: string): OAuth1Error {
  return new OAuth1Error('parameter_absent', `${parameter} is required.`, { parameter });
}

/**
 * Reads oauth_* from exactly one placement; missing, repeated or malformed ones are `OAuth1Error`, and so is
 * a method neither built in nor in `options.extraSignatureMethods`.
 */
export function readOAuthParameters(request: OAuth1Request, options: SignatureMethodOptions = {}): ReceivedOAuthParameters {
  const sources = readParameterSources(request);
  const found = PLACEMENTS.map((placement) => ({ placement, params: protocolOnly(sources[placement]) })).filter(
    ({ params }) => params.length > 0,
  );
  const [chosen, other] = found;
  if (chosen === undefined) throw absent('oauth_consumer_key');
  if (other !== undefined) {
    throw new OAuth1Error('parameter_rejected', 'OAuth parameters must be sent in only one place.', {
      parameter: other.params[0]?.[0] ?? 'oauth_consumer_key',
    });
  }

  const values = new Map<string, string>();
  for (const [name, value] of chosen.params) {
    if (values.has(name)) {
      throw new OAuth1Error('parameter_rejected', `${name} is sent more than once.`, { parameter: name });
    }
    values.set(name, value);
  }
  const required = (name: string): string => {
    const value = values.get(name);
    if (value === undefined || value === '') throw absent(name);
    return value;
  };

  const consumerKey = required('oauth_consumer_key');
  const signatureMethod = required('oauth_signature_method');
  const signature = required('oauth_signature');
  getSignatureMethod(signatureMethod, options);
  const optionalReplayParameters = signatureMethod === 'PLAINTEXT';
  const rawTimestamp = optionalReplayParameters ? values.get('oauth_timestamp') : required('oauth_timestamp');
  const nonce = optionalReplayParameters ? (values.get('oauth_nonce') ?? '') : required('oauth_nonce');

  const version = values.get('oauth_version');
  if (version !== undefined && version !== '1.0') {
    throw new OAuth1Error('version_rejected', 'Only oauth_version 1.0 is supported.', { parameter: 'oauth_version' });
  }
  let timestamp = Number.NaN;
  if (rawTimestamp !== undefined) {
    timestamp = Number(rawTimestamp);
    if (!TIMESTAMP.test(rawTimestamp) || !Number.isSafeInteger(timestamp)) {
      throw new OAuth1Error('parameter_rejected', 'oauth_timestamp must be a positive integer.', {
        parameter: 'oauth_timestamp',
      });
    }
  }

  const token = values.get('oauth_token');
  const callback = values.get('oauth_callback');
  const verifier = values.get('oauth_verifier');
  return {
    consumerKey,
    ...(token === undefined ? {} : { token }),
    signatureMethod,
    signature,
    timestamp,
    nonce,
    ...(callback === undefined ? {} : { callback }),
    ...(verifier === undefined ? {} : { verifier }),
    ...(version === undefined ? {} : { version }),
    placement: chosen.placement,
    params: [...sources.query, ...sources.body, ...(sources.header ?? [])].filter(([name]) => name !== 'oauth_signature'),
  };
}
