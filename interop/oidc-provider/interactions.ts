import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InteractionDetails, Provider } from 'oidc-provider';
import { ALICE } from '../../test-support/provider.js';

/**
 * The OP's login and consent pages, built on oidc-provider's interaction API (docs/README.md "User flows":
 * `interactionDetails`, `interactionFinished`, `Grant`). One page per interaction: the login prompt asks
 * for Alice's username and password and consents in the same click; a consent prompt (an OP session
 * already exists) asks only Allow or Deny. Plain HTML with no outside resources, so Chromium and a
 * fetch-driven test post the same form over plain HTTP.
 */
const INTERACTION_PATH = '/interaction/';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);

export function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

function interactionPage(details: InteractionDetails, error?: string): string {
  const login = details.prompt.name === 'login';
  const fields = login
    ? '<label>Username <input id="username" name="username" autocomplete="off"></label>' +
      '<label>Password <input id="password" name="password" type="password"></label>'
    : '';
  return page(
    login ? 'Sign in' : 'Authorize',
    `<h1>${escapeHtml(details.params.client_id)} asks for ${escapeHtml(details.params.scope ?? '')}</h1>` +
      (error ? `<p id="error">${escapeHtml(error)}</p>` : '') +
      `<form method="post" action="${INTERACTION_PATH}${escapeHtml(details.uid)}">${fields}` +
      '<button type="submit" name="decision" value="allow">Allow</button>' +
      '<button type="submit" name="decision" value="deny">Deny</button></form>',
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

/** Handles GET and POST under `/interaction/:uid`; answers whether the request was one of them. */
export async function handleInteraction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (!req.url?.startsWith(INTERACTION_PATH)) return false;
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    send(res, 200, interactionPage(details));
    return true;
  }
  if (req.method !== 'POST') return false;
  const form = await readForm(req);
  if (form.get('decision') !== 'allow') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'End-User denied the request' },
      {
        mergeWithLastSubmission: false,
      },
    );
    return true;
  }
  let accountId = details.session?.accountId;
  if (details.prompt.name === 'login') {
    if (form.get('username') !== ALICE.username || form.get('password') !== ALICE.password) {
      send(res, 200, interactionPage(details, 'Wrong username or password.'));
      return true;
    }
    accountId = ALICE.sub;
  }
  if (accountId === undefined) throw new Error('an interaction without a login or a session');
  // Consent to every scope the client asked for (offline_access included, OpenID Connect Core 11).
  const grant =
    (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
    new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope ?? 'openid');
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { ...(details.prompt.name === 'login' ? { login: { accountId } } : {}), consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
  return true;
}
