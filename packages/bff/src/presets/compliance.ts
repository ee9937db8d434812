import type { ComplianceFix, HookContext, ProtectedRequest } from '../config/client-config.js';

/**
 * Building blocks for `complianceFix` hooks: each undoes one way a provider's token endpoint or API
 * bends RFC 6749, so oauth4webapi can parse the answer unchanged. They are pure functions from a
 * `Response` to a new `Response` (or a request to a new request), reused by the presets and usable
 * in your own `complianceFix`.
 */

/** Rewrites one token endpoint answer. */
export type ResponseFix = (response: Response) => Promise<Response>;

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonObject(text: string): Fields | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isFields(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A copy of `response` with a new JSON body (and optionally status); other headers are kept. */
function jsonResponse(response: Response, fields: Fields, status = response.status): Response {
  const headers = new Headers(response.headers);
  headers.set('content-type', 'application/json');
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(JSON.stringify(fields), { status, statusText: status === response.status ? response.statusText : '', headers });
}

/** A copy of `response` with the same text, for fixes that read the body and change nothing. */
function sameResponse(response: Response, text: string): Response {
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(text, { status: response.status, statusText: response.statusText, headers });
}

/** Applies `edit` to a JSON object body; any other body passes through untouched. */
async function editJson(
  response: Response,
  edit: (fields: Fields, status: number) => { fields: Fields; status?: number } | undefined,
): Promise<Response> {
  const text = await response.text();
  const fields = parseJsonObject(text);
  if (fields === undefined) return sameResponse(response, text);
  const edited = edit(fields, response.status);
  return edited === undefined ? sameResponse(response, text) : jsonResponse(response, edited.fields, edited.status);
}

const isSuccess = (status: number) => status >= 200 && status < 300;

/**
 * A token response sent as `application/x-www-form-urlencoded` or `text/plain` (GitHub without an
 * `Accept` header, Facebook's old Graph API, OAuth 1 style servers), or JSON under a wrong media type
 * (`text/javascript`, `text/plain`), becomes `application/json` (RFC 6749 section 5.1 requires it).
 * For OAuth 2 token endpoints only: OAuth 1 credential answers are form-encoded by design.
 */
export const tokenResponseAsJson: ResponseFix = async (response) => {
  const text = await response.text();
  const json = parseJsonObject(text);
  if (json !== undefined) return jsonResponse(response, json);
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('<') || !trimmed.includes('=')) return sameResponse(response, text);
  const fields: Fields = {};
  for (const [name, value] of new URLSearchParams(trimmed)) fields[name] = value;
  return jsonResponse(response, fields);
};

/**
 * An error answered with HTTP 200 (GitHub's `{"error":"bad_verification_code"}`, Slack's
 * `{"ok":false,"error":"invalid_code"}`) becomes the HTTP 400 error response of RFC 6749 section 5.2,
 * so it is read as the provider's refusal rather than as a token response missing its token.
 */
export const errorInOkResponse: ResponseFix = (response) =>
  editJson(response, (fields, status) => {
    if (!isSuccess(status)) return undefined;
    const failed = typeof fields.error === 'string' || fields.ok === false;
    if (!failed) return undefined;
    const error: Fields = { error: typeof fields.error === 'string' && fields.error !== '' ? fields.error : 'server_error' };
    if (typeof fields.error_description === 'string') error.error_description = fields.error_description;
    if (typeof fields.error_uri === 'string') error.error_uri = fields.error_uri;
    return { fields: error, status: 400 };
  });

/**
 * `token_type` is required (RFC 6749 section 5.1) and case-insensitive (section 7.1): a token response
 * without one is a bearer token response (every preset's provider issues only those), and `bearer` is
 * written `Bearer` as RFC 6750 spells it.
 */
export const bearerTokenType: ResponseFix = (response) =>
  editJson(response, (fields, status) => {
    if (!isSuccess(status) || typeof fields.access_token !== 'string') return undefined;
    const type = fields.token_type;
    if (type === undefined || type === null || type === '') return { fields: { ...fields, token_type: 'Bearer' } };
    if (typeof type === 'string' && type.toLowerCase() === 'bearer' && type !== 'Bearer') {
      return { fields: { ...fields, token_type: 'Bearer' } };
    }
    return undefined;
  });

/** `expires_in` is a number of seconds (RFC 6749 section 5.1); some providers send it as a string. */
export const numericExpiresIn: ResponseFix = (response) =>
  editJson(response, (fields) => {
    const value = fields.expires_in;
    if (typeof value !== 'string') return undefined;
    if (!/^\s*\d+\s*$/.test(value)) return undefined;
    return { fields: { ...fields, expires_in: Number.parseInt(value, 10) } };
  });

/**
 * `scope` is space-delimited (RFC 6749 section 3.3). Some answers send an array, Bitbucket names the
 * field `scopes`, and some join scopes with commas (`repo,user:email`): each becomes one space-delimited
 * `scope`. A provider that uses commas both ways is better described by `clientKwargs.scopeDelimiter`.
 */
export const spaceDelimitedScope: ResponseFix = (response) =>
  editJson(response, (fields) => {
    const raw = fields.scope ?? fields.scopes;
    let scopes: string[];
    if (typeof raw === 'string') scopes = raw.split(/[\s,]+/);
    else if (Array.isArray(raw) && raw.every((entry) => typeof entry === 'string')) scopes = raw as string[];
    else return undefined;
    const scope = scopes.filter(Boolean).join(' ');
    if (scope === fields.scope) return undefined;
    const next: Fields = { ...fields, scope };
    delete next.scopes;
    return { fields: next };
  });

/** Runs fixes in order; the usual order reads the body first, then fixes errors, then fields. */
export function composeResponseFixes(...fixes: ResponseFix[]): (response: Response, context: HookContext) => Promise<Response> {
  return async (response) => {
    let current = response;
    for (const fix of fixes) current = await fix(current);
    return current;
  };
}

/**
 * The full set for a token endpoint that may answer in a form, with an error under HTTP 200, or with
 * loose fields. Each fix leaves a conforming response alone, so extra ones cost only a body copy.
 */
export const lenientTokenResponse = composeResponseFixes(
  tokenResponseAsJson,
  errorInOkResponse,
  bearerTokenType,
  numericExpiresIn,
  spaceDelimitedScope,
);

/**
 * Sets `User-Agent` on every API call. Some APIs refuse calls without one (GitHub answers 403) or
 * throttle generic ones (Reddit asks for `<platform>:<app id>:<version> (by /u/<name>)`); the app's own
 * value replaces the browser's, which the proxy would otherwise pass on.
 */
export function userAgentHeader(userAgent: string): (request: ProtectedRequest, context: HookContext) => ProtectedRequest {
  return (request) => ({ ...request, headers: { ...request.headers, 'user-agent': userAgent } });
}

/** The same fix for the code exchange and the refresh, plus an optional request fix. */
export function tokenAndRequestFixes(
  tokenFix: ((response: Response, context: HookContext) => Promise<Response>) | undefined,
  requestFix?: (request: ProtectedRequest, context: HookContext) => ProtectedRequest,
): ComplianceFix {
  return {
    ...(tokenFix === undefined ? {} : { accessTokenResponse: tokenFix, refreshTokenResponse: tokenFix }),
    ...(requestFix === undefined ? {} : { protectedRequest: requestFix }),
  };
}
