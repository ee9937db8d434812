import { isLatchkeyError } from '@latchkey/browser';

export interface Notice {
  /** `info` for news that is not a failure. Default: an error. */
  tone?: 'info';
  title: string;
  text: string;
  /** The error's stable code, shown small for whoever debugs it. */
  code: string | null;
}

// Texts for the codes a user can meet in the demo; both the SDK's AuthError and the BFF client's BffClientError codes.
const TEXTS: Record<string, [string, string]> = {
  authorization_denied: ['Access was denied', 'You chose Deny at the provider, so nothing was logged in. Try again and choose Allow.'],
  authorization_failed: ['The provider refused the login', 'The provider answered with an error instead of a login.'],
  login_failed: ['The login did not complete', 'The provider did not finish the login. Please try again.'],
  state_missing: ['This login link is incomplete', 'The page was opened without a login in progress. Please start the login again.'],
  state_mismatch: [
    'This login was not started here',
    'The answer from the provider matches no login started in this browser. Please start again.',
  ],
  state_used: ['This login was already handled', "The provider's answer was used once already. Please start the login again."],
  state_expired: ['The login took too long', 'The login expired before the provider answered. Please start it again.'],
  issuer_mismatch: ['Unexpected provider', 'The answer came from a different provider than the one asked.'],
  token_exchange_failed: ['The login did not complete', 'The provider refused to exchange the authorization code.'],
  id_token_invalid: ['The login did not complete', "The provider's ID token did not pass the checks."],
  login_required: ['You are logged out', 'The session ended. Please log in again.'],
  refresh_failed: ['Could not renew the session', 'The provider did not renew the access token. Please log in again.'],
  network_error: ['The server cannot be reached', 'Is `npm run demo` still running?'],
  discovery_failed: ['The provider cannot be reached', 'Is `npm run demo` still running?'],
  unknown_provider: ['Unknown provider', 'The BFF has no provider by that name.'],
  upstream_error: ["The provider's API failed", "The BFF could not call the provider's API."],
  upstream_timeout: ["The provider's API is slow", "The provider's API did not answer in time."],
  csrf_rejected: ['Request refused', 'The BFF refused a request without its CSRF header.'],
};

/** The readable message for an error code. */
export function noticeForCode(code: string | null): Notice {
  const [title, text] = (code !== null && TEXTS[code]) || [
    'Something went wrong',
    'An unexpected error happened; the console has the details.',
  ];
  return { title, text, code };
}

/** A readable message for any error; the code stays visible, the provider's own text is never shown. */
export function noticeFor(error: unknown): Notice {
  return noticeForCode(isLatchkeyError(error) ? error.code : null);
}
