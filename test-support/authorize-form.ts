/**
 * Plays the user at the provider's login + consent page over real HTTP: GET the authorization URL,
 * read the form the provider rendered (action and hidden fields), POST it with a username, password
 * and decision, and return where the provider redirects. Used by every integration test instead of
 * a browser; the Chromium tests click the same page.
 */
export interface AuthorizeFormAnswer {
  username?: string;
  password?: string;
  decision?: 'allow' | 'deny';
  /** Extra headers for both requests (e.g. a cookie). */
  headers?: Record<string, string>;
}

export interface AuthorizeFormResult {
  /** HTTP status of the POST (302/303 for a redirect, 200 when the page is shown again). */
  status: number;
  /** Absolute `Location` of the redirect, or `null` when the provider did not redirect. */
  location: string | null;
  /** The body of the POST's answer (the page again, e.g. after a wrong password). */
  body: string;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const decodeEntities = (text: string) => text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity);
const attribute = (tag: string, name: string) => {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match?.[1] === undefined ? undefined : decodeEntities(match[1]);
};

export async function readAuthorizeForm(
  authorizationUrl: string,
  headers: Record<string, string> = {},
): Promise<{ action: string; fields: Record<string, string>; html: string; status: number }> {
  const response = await fetch(authorizationUrl, { redirect: 'manual', headers });
  const html = await response.text();
  const formTag = /<form\s[^>]*method="post"[^>]*>/i.exec(html)?.[0];
  if (!formTag) {
    throw new Error(`No login form at the authorization URL (HTTP ${response.status}): ${html.slice(0, 300)}`);
  }
  const action = new URL(attribute(formTag, 'action') ?? '', authorizationUrl).toString();
  const fields: Record<string, string> = {};
  for (const [input] of html.matchAll(/<input\s[^>]*type="hidden"[^>]*>/gi)) {
    const name = attribute(input, 'name');
    if (name !== undefined) fields[name] = attribute(input, 'value') ?? '';
  }
  return { action, fields, html, status: response.status };
}

export async function submitAuthorizeForm(authorizationUrl: string, answer: AuthorizeFormAnswer = {}): Promise<AuthorizeFormResult> {
  const { action, fields } = await readAuthorizeForm(authorizationUrl, answer.headers);
  const body = new URLSearchParams({
    ...fields,
    username: answer.username ?? 'alice',
    password: answer.password ?? 'wonderland',
    decision: answer.decision ?? 'allow',
  });
  const response = await fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...answer.headers },
    body,
  });
  const location = response.headers.get('location');
  return {
    status: response.status,
    location: location === null ? null : new URL(location, action).toString(),
    body: await response.text(),
  };
}
