import { signRequest, type SignedRequest, type SigningKeys } from '@latchkey/oauth1';
import { BffError } from '../errors.js';
import { ProviderAnswerError } from '../http/failure-cause.js';
import type { ResolvedOAuth1Config } from '../config/resolved-config.js';
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

/** One of the two signed credential requests (sections 2.1 and 2.3). */
interface CredentialRequest {
  url: string;
  /** The endpoint's extra parameters (`requestTokenParams`, `accessTokenParams`), sent in the form body. */
  form: Record<string, string>;
  /** The temporary credential the request is signed with (section 2.3); none for section 2.1. */
  token?: RequestToken;
  /** `oauth_callback` or `oauth_verifier`. */
  oauthParams: Record<string, string>;
  /** Rewrites the answer before it is read (a compliance fix of token answers). Default: none. */
  fixAnswer?: (response: Response) => Response | Promise<Response>;
}

/** The credentials an answer must carry (section 2.1 and 2.3), with its other parameters. */
interface Credentials {
  oauthToken: string;
  oauthTokenSecret: string;
  extra: Record<string, string>;
}

export function createOAuth1Protocol(config: ResolvedOAuth1Config, options: OAuth1ProtocolOptions): OAuth1Protocol {
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

  const credentialRequest = async ({
    url,
    form,
    token,
    oauthParams,
    fixAnswer,
  }: CredentialRequest): Promise<{ credentials: Credentials; params: Record<string, string> }> => {
    checkTransport(url);
    const signed = signRequest({
      method: 'POST',
      url,
      form,
      consumerKey: config.clientId,
      ...(token === undefined ? {} : { token: token.oauthToken }),
      keys: signingKeys(token?.oauthTokenSecret),
      signatureMethod: kwargs.signatureMethod,
      extraSignatureMethods: kwargs.extraSignatureMethods,
      placement: kwargs.signatureType,
      oauthParams,
    });
    let response = await send(signed);
    if (fixAnswer !== undefined) response = await fixAnswer(response);
    const body = await response.text();
    const params = parseForm(body);
    if (response.status !== 200) {
      // Servers answer errors form-encoded too (`error=invalid_signature`, as Authlib does): keep the code, not the body.
      throw new BffError('login_failed', 'The provider refused the login.', {
        cause: new ProviderAnswerError('credential_request_refused', { httpStatus: response.status, providerError: params.error ?? null }),
      });
    }
    const { oauth_token: oauthToken, oauth_token_secret: oauthTokenSecret, ...extra } = params;
    if (!oauthToken || oauthTokenSecret === undefined) {
      throw new BffError('login_failed', 'The provider sent no credentials.', {
        cause: new ProviderAnswerError('credentials_missing', { httpStatus: response.status }),
      });
    }
    return { credentials: { oauthToken, oauthTokenSecret, extra }, params };
  };

  return {
    signingKeys,

    async requestToken(callbackUri) {
      try {
        const { credentials, params } = await credentialRequest({
          url: config.requestTokenUrl,
          form: { ...config.requestTokenParams },
          oauthParams: { oauth_callback: callbackUri },
        });
        // Section 2.1: the server must confirm the callback, or it is not speaking OAuth 1.0a. The value is
        // `true`; Authlib sends `True` (a Python bool), so any letter case is accepted, and nothing else.
        if (params.oauth_callback_confirmed?.toLowerCase() !== 'true') {
          throw new BffError('login_failed', 'The provider did not confirm the callback.', {
            cause: new ProviderAnswerError('callback_not_confirmed', { httpStatus: 200 }),
          });
        }
        return { oauthToken: credentials.oauthToken, oauthTokenSecret: credentials.oauthTokenSecret };
      } catch (error) {
        if (error instanceof BffError) throw error;
        throw new BffError('login_failed', 'The provider could not start the login.', { cause: error });
      }
    },

    authorizationUrl(oauthToken) {
      const url = new URL(config.authorizeUrl);
      for (const [name, value] of Object.entries(config.authorizeParams)) url.searchParams.set(name, value);
      url.searchParams.set('oauth_token', oauthToken);
      return url;
    },

    async accessToken(requestToken, verifier) {
      try {
        const { credentials } = await credentialRequest({
          url: config.accessTokenUrl,
          form: { ...config.accessTokenParams },
          token: requestToken,
          oauthParams: { oauth_verifier: verifier },
          // Section 2.3's answer is the token answer a compliance fix rewrites; section 2.1's is not.
          fixAnswer: async (response) => (await config.complianceFix.accessTokenResponse?.(response, hookContext)) ?? response,
        });
        return { kind: 'oauth1', ...credentials };
      } catch (error) {
        if (error instanceof BffError) throw error;
        throw new BffError('login_failed', 'The provider refused the login.', { cause: error });
      }
    },
  };
}
