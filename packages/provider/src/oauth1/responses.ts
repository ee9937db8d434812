import { percentEncode } from '@latchkey/oauth1';
import type { Context } from 'koa';
import { OAuth1ProblemError } from './problem.js';

const FORM = 'application/x-www-form-urlencoded';

/** Encodes pairs as RFC 5849 section 3.6 does, which any form decoder reads back. */
function encodeForm(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
}

/** A successful credentials response (RFC 5849 sections 2.1 and 2.3); never cached. */
export function sendForm(ctx: Context, params: Record<string, string>): void {
  ctx.status = 200;
  ctx.set('cache-control', 'no-store');
  ctx.set('pragma', 'no-cache');
  ctx.type = FORM;
  ctx.body = encodeForm(params);
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}

/**
 * Answers a refused request with the Problem Reporting extension's parameters in a form body and
 * an OAuth challenge naming the realm (RFC 5849 section 3.5.1).
 */
export function sendProblem(ctx: Context, error: OAuth1ProblemError, realm: string): void {
  const params: Record<string, string> = { oauth_problem: error.code, oauth_problem_advice: error.message };
  if (error.code === 'parameter_absent' && error.parameters) params.oauth_parameters_absent = error.parameters.join('&');
  if (error.code === 'parameter_rejected' && error.parameters) params.oauth_parameters_rejected = error.parameters.join('&');
  if (error.code === 'version_rejected') params.oauth_acceptable_versions = '1.0-1.0';
  if (error.acceptableTimestamps) params.oauth_acceptable_timestamps = error.acceptableTimestamps.join('-');
  ctx.status = error.status;
  ctx.set('www-authenticate', `OAuth realm=${quoted(realm)}`);
  ctx.set('cache-control', 'no-store');
  ctx.type = FORM;
  ctx.body = encodeForm(params);
}

/** Runs an endpoint, answering its `OAuth1ProblemError`s; any other error goes to Koa's error path. */
export async function answerProblems(ctx: Context, realm: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof OAuth1ProblemError)) throw error;
    sendProblem(ctx, error, realm);
  }
}
