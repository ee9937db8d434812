/** One address from a provider's list of the user's email addresses. */
export interface ListedEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/**
 * The address to trust from a provider's list (GitHub's `/user/emails`, Bitbucket's `/user/emails`):
 * the primary one if it is verified, else none. A verified secondary address is not picked, because
 * the primary address is the one the user chose to be reached at.
 */
export function primaryVerifiedEmail(emails: readonly ListedEmail[]): string | undefined {
  return emails.find((entry) => entry.primary && entry.verified)?.email;
}
