import type { Context, Middleware } from 'koa';
import type { ClientInput } from '../clients/client-registry.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { readForm } from '../http/body.js';
import type { ProviderRuntime } from '../runtime.js';
import { html, layout, PAGE_HEADERS } from '../ui/html.js';
import { registerNewClient } from './registration-api.js';

function form(action: string, error?: string): string {
  return layout(
    'Register an application',
    html`<h1>Register an application</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="${action}">
  <label for="name">Name</label>
  <input id="name" name="name" type="text" required maxlength="100">
  <label for="redirect_uris">Redirect URIs (one per line)</label>
  <textarea id="redirect_uris" name="redirect_uris" rows="3" required></textarea>
  <label for="backchannel_logout_uri">Back-channel logout URI (optional)</label>
  <input id="backchannel_logout_uri" name="backchannel_logout_uri" type="url">
  <label for="type">Type</label>
  <select id="type" name="type">
    <option value="public">Public (single-page or native app, PKCE, no secret)</option>
    <option value="confidential">Confidential (server-side app with a secret)</option>
  </select>
  <div class="actions"><button type="submit" class="primary">Register</button></div>
</form>`,
  );
}

/** A cross-site form post must not register clients: accept only same-origin browsers (Fetch Metadata, Origin). */
function assertSameOrigin(ctx: Context, issuer: string): void {
  const site = ctx.get('sec-fetch-site');
  const origin = ctx.get('origin');
  if ((site !== '' && site !== 'same-origin' && site !== 'none') || (origin !== '' && origin !== new URL(issuer).origin)) {
    throw new ProtocolError('access_denied', 'Cross-site registration requests are refused.');
  }
}

/** GET /clients/new: the registration form (only when `features.clientRegistrationPage` is on). */
export function registrationPageGet(runtime: ProviderRuntime): Middleware {
  return (ctx) => {
    ctx.set(PAGE_HEADERS);
    ctx.body = form(`${runtime.basePath}/clients/new`);
  };
}

/** POST /clients/new: registers the client and shows its credentials once. */
export function registrationPagePost(runtime: ProviderRuntime): Middleware {
  return async (ctx) => {
    assertSameOrigin(ctx, runtime.context.issuer);
    const params = await readForm(ctx);
    const confidential = params.get('type') === 'confidential';
    const input: ClientInput = {
      name: params.require('name').slice(0, 100),
      redirectUris: (params.get('redirect_uris') ?? '')
        .split(/\r?\n/)
        .map((uri) => uri.trim())
        .filter(Boolean),
      tokenEndpointAuthMethod: confidential ? 'client_secret_basic' : 'none',
    };
    const backchannelLogoutUri = params.get('backchannel_logout_uri')?.trim();
    if (backchannelLogoutUri) input.backchannelLogoutUri = backchannelLogoutUri;
    ctx.set(PAGE_HEADERS);
    let record;
    try {
      record = await registerNewClient(runtime, input);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      ctx.status = 400;
      ctx.body = form(`${runtime.basePath}/clients/new`, error.message);
      return;
    }
    ctx.status = 201;
    ctx.body = layout(
      'Application registered',
      html`<h1>${record.name} is registered</h1>
<p>client_id: <code id="client_id">${record.clientId}</code></p>
${
  record.clientSecret && record.tokenEndpointAuthMethod !== 'none'
    ? html`<p>client_secret: <code id="client_secret">${record.clientSecret}</code></p><p>Copy the secret now: it is not shown again.</p>`
    : ''
}
<p>Issuer: <code>${runtime.context.issuer}</code></p>`,
    );
  };
}
