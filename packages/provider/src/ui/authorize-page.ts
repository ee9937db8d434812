import { html, layout, type SafeHtml } from './html.js';

interface ScopeDescription {
  name: string;
  description: string;
}

export interface AuthorizePageInput {
  /** Where the form posts (the same endpoint that showed it). */
  action: string;
  /** Name of the application asking for access. */
  clientName: string;
  /** What the application asks for; shown as a list. */
  scopes: ScopeDescription[];
  /** Values posted back unchanged, e.g. a server-side transaction id. */
  hiddenFields: Record<string, string>;
  /** Shown above the form, e.g. after a wrong password. */
  error?: string;
  /** In any-user demo mode the page says that any name works. */
  anyUser?: boolean;
  /** The name of the signed-in user: the page then only asks for consent, without the password fields. */
  signedInAs?: string;
}

/**
 * The one login + consent page of both the OAuth 2 and the OAuth 1.0a authorization endpoints.
 * It posts `username`, `password` and `decision` (`allow` or `deny`) plus the hidden fields; for a
 * signed-in user (`signedInAs`) only `decision` and the hidden fields.
 * Allow comes first in the markup, so pressing Enter in the password field allows (HTML's implicit
 * submission uses the first submit button); CSS shows it on the right.
 */
export function renderAuthorizePage(input: AuthorizePageInput): string {
  const hidden: SafeHtml[] = Object.entries(input.hiddenFields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  const body = html`
<h1>Sign in to continue to ${input.clientName}</h1>
<p>${input.clientName} is asking for access to your account.</p>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
<form method="post" action="${input.action}">
  ${hidden}
  ${input.signedInAs === undefined ? credentialFields(input.anyUser === true) : html`<p>Signed in as <strong>${input.signedInAs}</strong>.</p>`}
  <p><strong>${input.clientName}</strong> will be able to:</p>
  <ul class="scopes">${input.scopes.map((scope) => html`<li><code>${scope.name}</code> ${scope.description}</li>`)}</ul>
  <div class="actions">
    <button type="submit" name="decision" value="allow" class="primary">Allow</button>
    <button type="submit" name="decision" value="deny">Deny</button>
  </div>
</form>`;
  return layout(`Sign in · ${input.clientName}`, body);
}

function credentialFields(anyUser: boolean): SafeHtml {
  return html`<label for="username">Username</label>
  <input id="username" name="username" type="text" autocomplete="username" autofocus required>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password">
  ${anyUser ? html`<p>Demo mode: any new username signs in with any password; known users need their own.</p>` : ''}`;
}

/** For errors that must not be sent back to the client (bad client id, unregistered redirect URI). */
export function renderErrorPage(title: string, message: string): string {
  return layout(title, html`<h1>${title}</h1><p class="error" role="alert">${message}</p>`);
}
