/** RFC 5849 section 2.1: temporary credentials, requested with client credentials only. */
import { ConfigurationError } from '@latchkey/common';
import type { Context } from 'koa';
import type { ProviderContext } from '../provider-context.js';
import { EXPIRED_GRACE_SECONDS, generateSecret, temporaryKey, type TemporaryCredentialRecord } from './credentials.js';
import { OAuth1ProblemError } from './problem.js';
import type { ResolvedOAuth1Options } from './resolve-options.js';
import { answerProblems, sendForm } from './responses.js';
import { verifySignedRequest, type EndpointCheck } from './verify-request.js';

/** The callback must be one the client registered, compared as exact strings (`oob` included). */
const checkInitiate: EndpointCheck = async (received, client) => {
  if (received.token !== undefined) {
    throw new OAuth1ProblemError('parameter_rejected', 'A temporary credential request carries no oauth_token.', {
      parameters: ['oauth_token'],
    });
  }
  if (received.callback === undefined || received.callback === '') {
    throw new OAuth1ProblemError('parameter_absent', 'oauth_callback is required (a registered URI or "oob").', {
      parameters: ['oauth_callback'],
    });
  }
  if (!client.oauth1.callbackUris.includes(received.callback)) {
    throw new OAuth1ProblemError('parameter_rejected', 'oauth_callback is not registered for this client.', {
      parameters: ['oauth_callback'],
    });
  }
  return undefined;
};

export function initiateEndpoint(context: ProviderContext, options: ResolvedOAuth1Options) {
  return (ctx: Context) =>
    answerProblems(ctx, context.issuer, async () => {
      const { client, received } = await verifySignedRequest(ctx, context, options, 'initiate', checkInitiate);
      const token = generateSecret(options, 'temporary');
      const record: TemporaryCredentialRecord = {
        clientId: client.clientId,
        secret: generateSecret(options, 'temporary_secret'),
        callback: received.callback ?? 'oob',
        expiresAt: context.now() + options.temporaryCredentialLifetimeSeconds * 1000,
      };
      const ttl = options.temporaryCredentialLifetimeSeconds + EXPIRED_GRACE_SECONDS;
      if (!(await context.storage.add(temporaryKey(token), record, ttl))) {
        throw new ConfigurationError('generateToken', 'generateToken("temporary") returned a token already in use.');
      }
      context.emit({ type: 'oauth1_token_issued', kind: 'temporary', clientId: client.clientId });
      sendForm(ctx, { oauth_token: token, oauth_token_secret: record.secret, oauth_callback_confirmed: 'true' });
    });
}
