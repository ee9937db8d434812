import { html, layout } from '../ui/html.js';

/** Out-of-band callback (RFC 5849 section 2.1, `oob`): the user copies the verifier into the app. */
export function renderVerifierPage(clientName: string, verifier: string): string {
  return layout(
    `Access granted · ${clientName}`,
    html`<h1>Access granted</h1>
<p>Enter this verification code in ${clientName} to finish signing in:</p>
<p><code id="oauth_verifier">${verifier}</code></p>`,
  );
}

/** Out-of-band callback after the user refused: nothing to hand back. */
export function renderDeniedPage(clientName: string): string {
  return layout(
    `Access denied · ${clientName}`,
    html`<h1>Access denied</h1><p>${clientName} was not given access to your account. You can close this page.</p>`,
  );
}
