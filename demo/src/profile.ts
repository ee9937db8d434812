/** The fields the demo shows of a profile, from OpenID Connect claims or a provider's own API. */
export interface Profile {
  name: string;
  subtitle: string | null;
  picture: string | null;
  /** Every field the API returned, for the details list. */
  fields: [string, string][];
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

/** Reads `/api/me` of the embedded provider (standard claims) or GitHub's `/user` (login, avatar_url). */
export function toProfile(body: unknown): Profile {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const fields = Object.entries(record)
    .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value) && value !== '')
    .map(([key, value]): [string, string] => [key, String(value)]);
  return {
    name: text(record.name) ?? text(record.preferred_username) ?? text(record.login) ?? text(record.sub) ?? 'Unknown user',
    subtitle: text(record.email) ?? text(record.login) ?? text(record.sub),
    picture: text(record.picture) ?? text(record.avatar_url),
    fields,
  };
}

/** Up to two initials, for the avatar when there is no picture. */
export function initials(name: string): string {
  const letters = name
    .split(/[\s._@-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]!.toUpperCase());
  return letters.join('') || '?';
}
