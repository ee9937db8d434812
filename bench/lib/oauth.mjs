// OAuth 2 client steps the benchmarks need to set up their runs: the authorization code flow with
// PKCE, played at the provider's real login page, for as many refresh tokens as a run needs.
import { createHash, randomBytes } from 'node:crypto';
import { importTs } from './support.mjs';

/** The user every benchmark logs in as (the provider processes are started with it). */
export const BENCH_USER = {
  sub: 'u-bench',
  username: 'bench',
  password: 'bench-password',
  name: 'Bench User',
  email: 'bench@example.test',
};

const base64url = (bytes) => Buffer.from(bytes).toString('base64url');

export const basicAuth = (clientId, clientSecret) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;

/**
 * Runs the authorization code flow (RFC 6749 4.1 with PKCE, RFC 7636) `count` times for a
 * confidential client and returns the token responses. The login page is played by the tests'
 * own form player.
 */
export async function logInTimes(issuer, { clientId, clientSecret, redirectUri, scope, count }) {
  const { submitAuthorizeForm } = await importTs('test-support/authorize-form.ts');
  const answers = [];
  for (let i = 0; i < count; i++) {
    const verifier = base64url(randomBytes(32));
    const state = base64url(randomBytes(16));
    const authorize = new URL(`${issuer}/oauth/authorize`);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      scope,
      state,
      code_challenge: base64url(createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
    }).toString();
    const { location } = await submitAuthorizeForm(authorize.href, { username: BENCH_USER.username, password: BENCH_USER.password });
    const code = location && new URL(location).searchParams.get('code');
    if (!code) throw new Error(`the provider did not issue a code (redirect: ${location})`);
    const response = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basicAuth(clientId, clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
    });
    if (response.status !== 200) throw new Error(`the code exchange failed: HTTP ${response.status} ${await response.text()}`);
    answers.push(await response.json());
  }
  return answers;
}
