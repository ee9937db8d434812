import type { OAuthToken } from '../tokens/token.js';

type AnswerHeaders = Record<string, string | string[] | undefined>;

/** A credential as it stands in a URL and in what servers copy from one: as is, and percent-encoded. */
function forms(credential: string): string[] {
  const encoded = encodeURIComponent(credential);
  return encoded === credential ? [credential] : [credential, encoded];
}

/**
 * The credentials a request carries in its URL, in the forms to look for in the answer: a bearer token
 * in the query (RFC 6750 section 2.3), or an OAuth 1 query signature's `oauth_token` and
 * `oauth_signature` (RFC 5849 section 3.5.3; with PLAINTEXT the signature is the secrets themselves).
 * Servers copy the request URL into `Location` and `Content-Location` (a redirect that keeps the query,
 * a canonical URL); a header carries none of these, so an answer to it is not searched.
 */
export function credentialsInUrl(url: URL, token: OAuthToken): string[] {
  const candidates = token.kind === 'oauth2' ? [token.accessToken] : [token.oauthToken, url.searchParams.get('oauth_signature') ?? ''];
  const href = url.href;
  return candidates.filter((credential) => credential !== '' && forms(credential).some((form) => href.includes(form))).flatMap(forms);
}

/** `%XX` escapes of ASCII decoded, leniently: a stray `%` elsewhere in a header does not stop the search. */
const decodeAscii = (text: string) =>
  text.replace(/%[0-7][0-9a-f]/gi, (sequence) => String.fromCharCode(Number.parseInt(sequence.slice(1), 16)));

/**
 * Whether any answer header carries one of `credentials`, as is or percent-encoded, also inside a URL
 * nested in a parameter (encoded again at each level).
 */
export function echoesCredential(headers: AnswerHeaders, credentials: readonly string[]): boolean {
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      let text = item;
      for (let level = 0; level < 4; level++) {
        if (credentials.some((credential) => text.includes(credential))) return true;
        const decoded = decodeAscii(text);
        if (decoded === text) break;
        text = decoded;
      }
    }
  }
  return false;
}
