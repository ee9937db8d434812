import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import type { ProtectedRequest } from '../../src/config/client-config.js';
import {
  bearerTokenType,
  composeResponseFixes,
  errorInOkResponse,
  lenientTokenResponse,
  numericExpiresIn,
  spaceDelimitedScope,
  tokenResponseAsJson,
  userAgentHeader,
} from '../../src/presets/compliance.js';
import { primaryVerifiedEmail } from '../../src/presets/emails.js';

import * as github from './fixtures/github.js';
import * as linkedin from './fixtures/linkedin.js';
import * as reddit from './fixtures/reddit.js';
import * as slack from './fixtures/slack.js';
import { bitbucketToken, facebookLegacyToken, facebookToken } from './fixtures/others.js';

const context = { provider: 'example' };

function json(body: unknown, status = 200, contentType = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': contentType } });
}

async function fieldsOf(response: Response): Promise<Record<string, unknown>> {
  expect(response.headers.get('content-type')).toBe('application/json');
  return (await response.json()) as Record<string, unknown>;
}

// What the registry does with a token answer after the hook: oauth4webapi's own parsing.
const as: oauth.AuthorizationServer = { issuer: 'https://as.example', token_endpoint: 'https://as.example/token' };
const client: oauth.Client = { client_id: 'client' };
const processTokenResponse = (response: Response) => oauth.processRefreshTokenResponse(as, client, response);

describe('tokenResponseAsJson', () => {
  it('turns GitHub’s form-encoded answer into JSON that oauth4webapi accepts', async () => {
    const form = () => new Response(github.formTokenResponse.body, { headers: { 'content-type': github.formTokenResponse.contentType } });
    await expect(processTokenResponse(form())).rejects.toBeInstanceOf(oauth.OperationProcessingError);
    const fixed = await tokenResponseAsJson(form());
    expect(await fieldsOf(fixed.clone())).toEqual({
      access_token: 'gho_16C7e42F292c6912E7710c838347Ae178B4a',
      scope: 'repo,gist',
      token_type: 'bearer',
    });
    expect((await processTokenResponse(fixed)).access_token).toBe('gho_16C7e42F292c6912E7710c838347Ae178B4a');
  });

  it('reads a text/plain form answer (Facebook’s older Graph versions)', async () => {
    const response = new Response(facebookLegacyToken, { headers: { 'content-type': 'text/plain; charset=UTF-8' } });
    expect(await fieldsOf(await tokenResponseAsJson(response))).toEqual({ access_token: 'EAAGfake', expires_in: '5183944' });
  });

  it('relabels JSON sent as text/javascript or text/plain', async () => {
    const response = json(facebookToken, 200, 'text/javascript; charset=UTF-8');
    expect(await fieldsOf(await tokenResponseAsJson(response))).toEqual(facebookToken);
  });

  it('keeps the status, and leaves an HTML or empty body alone', async () => {
    const error = new Response('error=invalid_grant', { status: 400, headers: { 'content-type': 'text/plain' } });
    const fixed = await tokenResponseAsJson(error);
    expect(fixed.status).toBe(400);
    expect(await fixed.json()).toEqual({ error: 'invalid_grant' });
    const html = await tokenResponseAsJson(new Response('<html>down</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(await html.text()).toBe('<html>down</html>');
  });
});

describe('errorInOkResponse', () => {
  it('turns GitHub’s HTTP 200 bad_verification_code into an RFC 6749 error oauth4webapi reports by code', async () => {
    const unfixed = processTokenResponse(json(github.badVerificationCode));
    // Without the fix the refusal reads as a malformed token answer, and its error code is lost.
    await expect(unfixed).rejects.not.toBeInstanceOf(oauth.ResponseBodyError);

    const fixed = await errorInOkResponse(json(github.badVerificationCode));
    expect(fixed.status).toBe(400);
    const error = await processTokenResponse(fixed).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(oauth.ResponseBodyError);
    expect((error as oauth.ResponseBodyError).error).toBe('bad_verification_code');
    expect((error as oauth.ResponseBodyError).error_description).toBe('The code passed is incorrect or expired.');
  });

  it('turns Slack’s {"ok":false} into an error with Slack’s code', async () => {
    const fixed = await errorInOkResponse(json(slack.invalidCode));
    expect(fixed.status).toBe(400);
    expect(await fixed.json()).toEqual({ error: 'invalid_code' });
  });

  it('turns Reddit’s HTTP 200 {"error":"invalid_grant"} into an error', async () => {
    const error = await processTokenResponse(await errorInOkResponse(json(reddit.invalidGrant))).catch((caught: unknown) => caught);
    expect((error as oauth.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('leaves successes (Slack’s ok:true included) and real error statuses alone', async () => {
    const success = await errorInOkResponse(json(slack.tokenResponse));
    expect(success.status).toBe(200);
    expect(await success.json()).toEqual(slack.tokenResponse);
    const refused = await errorInOkResponse(json({ error: 'invalid_client' }, 401));
    expect(refused.status).toBe(401);
  });
});

describe('bearerTokenType', () => {
  it('supplies the token_type LinkedIn leaves out, which oauth4webapi requires', async () => {
    await expect(processTokenResponse(json(linkedin.tokenResponse))).rejects.toBeInstanceOf(oauth.OperationProcessingError);
    const fixed = await bearerTokenType(json(linkedin.tokenResponse));
    expect((await fieldsOf(fixed.clone())).token_type).toBe('Bearer');
    const result = await processTokenResponse(fixed);
    expect(result.token_type).toBe('bearer');
    expect(result.expires_in).toBe(5184000);
  });

  it('writes a lower-case bearer as Bearer and leaves other types alone', async () => {
    expect((await (await bearerTokenType(json(reddit.tokenResponse))).json()).token_type).toBe('Bearer');
    expect((await (await bearerTokenType(json({ access_token: 'a', token_type: 'DPoP' }))).json()).token_type).toBe('DPoP');
  });

  it('does not turn an error answer into a token', async () => {
    const fixed = await bearerTokenType(json({ error: 'invalid_grant' }, 400));
    expect(await fixed.json()).toEqual({ error: 'invalid_grant' });
  });
});

describe('numericExpiresIn', () => {
  it('makes a string of digits a number and leaves anything else to oauth4webapi', async () => {
    expect((await (await numericExpiresIn(json({ access_token: 'a', expires_in: '3600' }))).json()).expires_in).toBe(3600);
    expect((await (await numericExpiresIn(json({ access_token: 'a', expires_in: 'soon' }))).json()).expires_in).toBe('soon');
    expect((await (await numericExpiresIn(json({ access_token: 'a', expires_in: 60 }))).json()).expires_in).toBe(60);
  });
});

describe('spaceDelimitedScope', () => {
  it('splits GitHub’s comma-delimited scope', async () => {
    const fixed = await spaceDelimitedScope(json(github.jsonTokenResponse.body));
    expect((await fixed.json()).scope).toBe('read:user user:email');
  });

  it('renames Bitbucket’s scopes field and joins arrays', async () => {
    const fixed = await (await spaceDelimitedScope(json(bitbucketToken))).json();
    expect(fixed.scope).toBe('account email');
    expect(fixed).not.toHaveProperty('scopes');
    expect((await (await spaceDelimitedScope(json({ scope: ['a', 'b'] }))).json()).scope).toBe('a b');
  });
});

describe('lenientTokenResponse (the fixes composed)', () => {
  it('reads a form-encoded error sent with HTTP 200 as the error it is', async () => {
    const response = new Response('error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const error = await processTokenResponse(await lenientTokenResponse(response, context)).catch((caught: unknown) => caught);
    expect((error as oauth.ResponseBodyError).error).toBe('bad_verification_code');
  });

  it('normalizes every loose field of one answer', async () => {
    const response = new Response('access_token=t&token_type=bearer&expires_in=120&scope=a%2Cb', {
      headers: { 'content-type': 'text/plain' },
    });
    expect(await (await lenientTokenResponse(response, context)).json()).toEqual({
      access_token: 't',
      token_type: 'Bearer',
      expires_in: 120,
      scope: 'a b',
    });
  });

  it('composes in order', async () => {
    const order: string[] = [];
    const mark = (name: string) => async (response: Response) => {
      order.push(name);
      return response;
    };
    await composeResponseFixes(mark('first'), mark('second'))(json({}), context);
    expect(order).toEqual(['first', 'second']);
  });
});

describe('userAgentHeader', () => {
  it('sets the app’s User-Agent over the browser’s, without changing the request it was given', () => {
    const request: ProtectedRequest = {
      method: 'GET',
      url: new URL('https://oauth.reddit.com/api/v1/me'),
      headers: { 'user-agent': 'Mozilla/5.0', authorization: 'Bearer t' },
    };
    const fixed = userAgentHeader('web:app:1.0 (by /u/someone)')(request, context);
    expect(fixed.headers).toEqual({ 'user-agent': 'web:app:1.0 (by /u/someone)', authorization: 'Bearer t' });
    expect(request.headers['user-agent']).toBe('Mozilla/5.0');
  });
});

describe('primaryVerifiedEmail', () => {
  it('picks GitHub’s primary verified address, not the first verified one', () => {
    expect(primaryVerifiedEmail(github.emails)).toBe('octocat@github.com');
  });

  it('picks nothing when the primary address is unverified', () => {
    expect(
      primaryVerifiedEmail([
        { email: 'primary@example.com', primary: true, verified: false },
        { email: 'other@example.com', primary: false, verified: true },
      ]),
    ).toBeUndefined();
  });
});
