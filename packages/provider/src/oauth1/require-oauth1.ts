/** RFC 5849 section 3: protected resources accept requests signed with token credentials. */
import type { Context, Next } from 'koa';
import type { ProviderContext, ResourceAuth } from '../provider-context.js';
import { tokenKey, type TokenCredentialRecord } from './credentials.js';
import { OAuth1ProblemError } from './problem.js';
import type { OAuth1RequestState } from './read-request.js';
import type { ResolvedOAuth1Options } from './resolve-options.js';
import { sendProblem } from './responses.js';
import { verifySignedRequest } from './verify-request.js';

/** `ctx.state` after `requireOAuth1()`: who is calling, and the form body it had to read. */
export interface OAuth1ResourceState extends OAuth1RequestState {
  latchkey?: ResourceAuth;
}

const rejected = () => new OAuth1ProblemError('token_rejected', 'The token is not valid for this client.');

async function authenticate(ctx: Context, context: ProviderContext, options: ResolvedOAuth1Options): Promise<ResourceAuth> {
  let record: TokenCredentialRecord | undefined;
  const { client } = await verifySignedRequest(ctx, context, options, 'resource', async (received, client) => {
    if (received.token === undefined) {
      throw new OAuth1ProblemError('parameter_absent', 'oauth_token is required.', { parameters: ['oauth_token'] });
    }
    record = await context.storage.get<TokenCredentialRecord>(tokenKey(received.token));
    // A token works only for the client it was issued to (section 2.3).
    if (!record || record.clientId !== client.clientId) throw rejected();
    return record.secret;
  });
  // A user the directory no longer knows has lost access: their tokens stop working.
  const user = record && (await context.users.findBySub(record.sub));
  if (!user) throw rejected();
  return { protocol: 'oauth1', clientId: client.clientId, user, scopes: [] };
}

/** Authenticates before `next()`; only its own refusals are answered here, never downstream errors. */
export function oauth1ResourceMiddleware(context: ProviderContext, options: ResolvedOAuth1Options) {
  return async (ctx: Context, next: Next): Promise<void> => {
    let auth: ResourceAuth;
    try {
      auth = await authenticate(ctx, context, options);
    } catch (error) {
      if (!(error instanceof OAuth1ProblemError)) throw error;
      sendProblem(ctx, error, context.issuer);
      return;
    }
    (ctx.state as OAuth1ResourceState).latchkey = auth;
    await next();
  };
}
