/** RFC 5849 section 2.3: token credentials, in exchange for an authorized temporary credential. */
import { ConfigurationError } from '@latchkey/common';
import { constantTimeEqual } from '../constant-time.js';
import type { Context } from 'koa';
import type { ProviderContext } from '../provider-context.js';
import {
  authorizationKey,
  generateSecret,
  temporaryKey,
  tokenKey,
  type AuthorizationRecord,
  type TemporaryCredentialRecord,
  type TokenCredentialRecord,
} from './credentials.js';
import { OAuth1ProblemError } from './problem.js';
import type { ResolvedOAuth1Options } from './resolve-options.js';
import { answerProblems, sendForm } from './responses.js';
import { verifySignedRequest, type EndpointCheck } from './verify-request.js';

const absent = (name: string) => new OAuth1ProblemError('parameter_absent', `${name} is required.`, { parameters: [name] });

/** Checks the temporary credential is this client's and still live; its secret signs the request. */
function checkTokenRequest(context: ProviderContext): EndpointCheck {
  return async (received, client) => {
    if (received.token === undefined) throw absent('oauth_token');
    if (received.verifier === undefined || received.verifier === '') throw absent('oauth_verifier');
    const temporary = await context.storage.get<TemporaryCredentialRecord>(temporaryKey(received.token));
    if (!temporary || temporary.clientId !== client.clientId) {
      throw new OAuth1ProblemError('token_rejected', 'The temporary credential is not valid for this client.');
    }
    if (temporary.expiresAt <= context.now()) {
      throw new OAuth1ProblemError('token_expired', 'The temporary credential has expired; start again.');
    }
    return temporary.secret;
  };
}

export function tokenEndpoint(context: ProviderContext, options: ResolvedOAuth1Options) {
  const check = checkTokenRequest(context);
  return (ctx: Context) =>
    answerProblems(ctx, context.issuer, async () => {
      const { client, received } = await verifySignedRequest(ctx, context, options, 'token', check);
      const token = received.token as string;
      // Single use (section 2.3): exactly one request takes the temporary credential and its
      // authorization. A wrong verifier burns both, so a verifier cannot be guessed in many tries.
      const temporary = await context.storage.take<TemporaryCredentialRecord>(temporaryKey(token));
      if (!temporary || temporary.clientId !== client.clientId || temporary.expiresAt <= context.now()) {
        throw new OAuth1ProblemError('token_rejected', 'The temporary credential was already used.');
      }
      const authorization = await context.storage.take<AuthorizationRecord>(authorizationKey(token));
      if (!authorization || !constantTimeEqual(authorization.verifier, received.verifier ?? '')) {
        throw new OAuth1ProblemError('verifier_invalid', 'The verifier does not match; start again.');
      }

      const issued = generateSecret(options, 'token');
      const record: TokenCredentialRecord = {
        clientId: client.clientId,
        sub: authorization.sub,
        secret: generateSecret(options, 'token_secret'),
        issuedAt: Math.floor(context.now() / 1000),
      };
      // Token credentials last until revoked: no TTL.
      if (!(await context.storage.add(tokenKey(issued), record))) {
        throw new ConfigurationError('generateToken', 'generateToken("token") returned a token already in use.');
      }
      context.emit({ type: 'oauth1_token_issued', kind: 'token', clientId: client.clientId });
      sendForm(ctx, { oauth_token: issued, oauth_token_secret: record.secret });
    });
}
