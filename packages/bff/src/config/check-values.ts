import { ConfigurationError } from '@latchkey/common';
import { envVarName, type UrlKey } from './env.js';
import type { ResolvedOAuth2Kwargs } from './resolved-config.js';

/** Provider names become URL segments and environment variable prefixes. */
const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function checkProviderName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new ConfigurationError('name', `Provider name "${name}" must match ${String(NAME_PATTERN)}.`);
  }
}

/** RFC 7617 section 2: control characters are not allowed in Basic credentials, nor a colon in the user-id. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * The raw Basic encoding and the empty secret only make sense with `client_secret_basic`, and raw
 * credentials must be ones RFC 7617 can carry, since nothing encodes them.
 */
export function checkBasicAuth(name: string, clientId: string, clientSecret: string | undefined, kwargs: ResolvedOAuth2Kwargs): void {
  const basic = kwargs.tokenEndpointAuthMethod === 'client_secret_basic';
  if (kwargs.emptyClientSecret) {
    if (!basic || kwargs.basicAuthEncoding !== 'none') {
      throw new ConfigurationError(
        'clientKwargs.emptyClientSecret',
        `clientKwargs.emptyClientSecret of "${name}" needs OAuth 2 with client_secret_basic and basicAuthEncoding "none".`,
      );
    }
    if (clientSecret !== undefined) {
      throw new ConfigurationError(
        'clientSecret',
        `"${name}" declares clientKwargs.emptyClientSecret, so it takes no client secret (unset ${envVarName(name, 'clientSecret')}).`,
      );
    }
  }
  if (kwargs.basicAuthEncoding === 'none') {
    if (!basic) {
      throw new ConfigurationError(
        'clientKwargs.basicAuthEncoding',
        `clientKwargs.basicAuthEncoding of "${name}" applies to OAuth 2 client_secret_basic only.`,
      );
    }
    if (clientId.includes(':') || CONTROL_CHARACTER.test(clientId)) {
      throw new ConfigurationError(
        'clientId',
        `The clientId of "${name}" cannot be sent in raw HTTP Basic: it has a colon or a control character.`,
      );
    }
    if (clientSecret !== undefined && CONTROL_CHARACTER.test(clientSecret)) {
      throw new ConfigurationError(
        'clientSecret',
        `The clientSecret of "${name}" cannot be sent in raw HTTP Basic: it has a control character.`,
      );
    }
  }
}

/** An absolute `https:` URL (`http:` when allowed) without credentials or a fragment. */
export function checkUrl(name: string, key: UrlKey, value: string | undefined, insecure: boolean): void {
  if (value === undefined) return;
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigurationError(key, `${key} of "${name}" is not an absolute URL (${envVarName(name, key)}).`, { cause });
  }
  if (url.protocol !== 'https:' && !(insecure && url.protocol === 'http:')) {
    throw new ConfigurationError(key, `${key} of "${name}" must use https: (http: needs clientKwargs.dangerouslyAllowInsecureHttp).`);
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') {
    throw new ConfigurationError(key, `${key} of "${name}" must not carry credentials or a fragment.`);
  }
}
