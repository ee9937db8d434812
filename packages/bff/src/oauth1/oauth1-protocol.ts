import { signRequest, type SignedRequest, type SigningKeys } from '@latchkey/oauth1';
import { BffError } from '../errors.js';
import { ProviderAnswerError } from '../http/failure-cause.js';
import type { ResolvedClientConfig } from '../config/resolve-config.js';
import type { OAuth1Token } from '../tokens/token.js';
import type { RequestToken } from '../config/client-config.js';

/** The OAuth 1.0a redirection-based flow of one provider (RFC 5849 section 2), signed by `@latchkey/oauth1`. */
export interface OAuth1Protocol {
  /** Section 2.1: obtains a temporary credential for `oauth_callback`. */
  requestToken(callbackUri: string): Promise<RequestToken>;
  /** Section 2.2: where the user authorizes the temporary credential. */
  authorizationUrl(oauthToken: string): URL;
  /** Section 2.3: exchanges the verified temporary credential for token credentials. */
  accessToken(requestToken: RequestToken, verifier: string): Promise<OAuth1Token>;
  /** Keys for signing requests with `token` (consumer secret, token secret, RSA key). */
  signingKeys(tokenSecret: string | undefined): SigningKeys;
}

export interface OAuth1ProtocolOptions {
  allowInsecureHttp: boolean;
}

function parseForm(text: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(text));
}

export function createOAuth1Protocol(config: ResolvedClientConfig, options: OAuth1ProtocolOptions): OAuth1Protocol {
  const kwargs = config.clientKwargs;
  const hookContext = { provider: config.name };
  const signingKeys = (tokenSecret: string | undefined): SigningKeys => ({
    consumerSecret: config.clientSecret ?? '',
    ...(tokenSecret === undefined ? {} : { tokenSecret }),
    ...(kwargs.rsaKey === undefined ? {} : { privateKey: kwargs.rsaKey }),
  });

  const checkTransport = (url: string) => {
    // PLAINTEXT sends both secrets as the signature (RFC 5849 section 3.4.4): TLS only, unless opted out for tests.
    if (kwargs.signatureMethod === 'PLAINTEXT' && new URL(url).protocol !== 'https:' && !options.allowInsecureHttp) {
      throw new BffError('internal_error', 'PLAINTEXT signatures need https.');
    }
  };

  const send = async (signed: SignedRequest): Promise<Response> =>
    fetch(signed.url, {
      method: signed.method,
      headers: signed.headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(kwargs.timeoutMs),
      ...(signed.body === undefined ? {} : { body: signed.body }),
    });

  const credentialRequest = async (
    url: string,
    form: Record<string, string>,
    token: RequestToken | undefined,
    oauthParams: Record<string, string>,
    fix: boolean,
  ): Promise<Record<string, string>> => {
    checkTransport(url);
    const signed = signRequest({
      method: 'POST',
      url,
      form,
      consumerKey: config.clientId,
      ...(token === undefined ? {} : { token: token.oauthToken }),
      keys: signingKeys(token?.oauthTokenSecret),
      signatureMethod: kwargs.signatureMethod,
      placement: kwargs.signatureType,
      oauthParams,
    });
    let response = await send(signed);
    if (fix && config.complianceFix.accessTokenResponse) {
      response = await config.complianceFix.accessTokenResponse(response, hookContext);
    }
    const body = await response.text();
    const params = parseForm(body);
    if (response.status !== 200) {
      // Servers answer errors form-encoded too (`error=invalid_signature`, as Authlib does): keep the code, not the body.
      throw new BffError('login_failed', 'The provider refused the login.', {
        cause: new ProviderAnswerError('credential_request_refused', { httpStatus: response.status, providerError: params.error ?? null }),
      });
    }
    if (!params.oauth_token || params.oauth_token_secret === undefined) {
      throw new BffError('login_failed', 'The provider sent no credentials.', {
        cause: new ProviderAnswerError('credentials_missing', { httpStatus: response.status }),
      });
    }
    return params;
  };

  return {
    signingKeys,

    async requestToken(callbackUri) {
      try {
        const params = await credentialRequest(
          config.requestTokenUrl as string,
          { ...config.requestTokenParams },
          undefined,
          { oauth_callback: callbackUri },
          false,
        );
        // Section 2.1: the server must confirm the callback, or it is not speaking OAuth 1.0a. The value is
        // `true`; Authlib sends `True` (a Python bool), so any letter case is accepted, and nothing else.
        if (params.oauth_callback_confirmed?.toLowerCase() !== 'true') {
          throw new BffError('login_failed', 'The provider did not confirm the callback.', {
            cause: new ProviderAnswerError('callback_not_confirmed', { httpStatus: 200 }),
          });
        }
        return { oauthToken: params.oauth_token as string, oauthTokenSecret: params.oauth_token_secret as string };
      } catch (error) {
        if (error instanceof BffError) throw error;
        throw new BffError('login_failed', 'The provider could not start the login.', { cause: error });
      }
    },

    authorizationUrl(oauthToken) {
      const url = new URL(config.authorizeUrl as string);
      for (const [name, value] of Object.entries(config.authorizeParams)) url.searchParams.set(name, value);
      url.searchParams.set('oauth_token', oauthToken);
      return url;
    },

    async accessToken(requestToken, verifier) {
      try {
        const params = await credentialRequest(
          config.accessTokenUrl as string,
          { ...config.accessTokenParams },
          requestToken,
          { oauth_verifier: verifier },
          true,
        );
        const { oauth_token: oauthToken, oauth_token_secret: oauthTokenSecret, ...extra } = params;
        return { kind: 'oauth1', oauthToken: oauthToken as string, oauthTokenSecret: oauthTokenSecret as string, extra };
      } catch (error) {
        if (error instanceof BffError) throw error;
        throw new BffError('login_failed', 'The provider refused the login.', { cause: error });
      }
    },
  };
}
