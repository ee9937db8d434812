import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BFF_ERROR_HEADER,
  CSRF_HEADER,
  CSRF_HEADER_VALUE,
  type BffErrorBody,
  type BffErrorCode,
  type BffSessionResponse,
} from '@latchkey/common';
import { listen } from './listen.js';

const SIGNED_IN: BffSessionResponse = {
  authenticated: true,
  user: { sub: 'u-alice', name: 'Alice Liddell' },
  connections: [{ provider: 'demo', protocol: 'oauth2', expiresAt: null, scopes: ['openid'] }],
};
const ANONYMOUS: BffSessionResponse = { authenticated: false, user: null, connections: [] };

export interface ContractServer {
  url: string;
  /** Every request: method, path and query, and the CSRF header it carried. */
  log: { method: string; url: string; csrf: string | undefined }[];
  /** Whether the session is logged in; `POST /bff/logout` clears it, a test may flip it. */
  signedIn: boolean;
  /** Whether the `demo` provider is linked; `POST /bff/disconnect/demo` clears it. */
  linked: boolean;
  close(): Promise<void>;
}

/**
 * A small server speaking the BFF contract of `@latchkey/common` (the routes the browser state and
 * the bindings use), with session flags the test flips. The real BFF is tested against the same
 * module on its side.
 */
export async function startContractServer(): Promise<ContractServer> {
  const state = { log: [] as ContractServer['log'], signedIn: true, linked: true };
  const session = (): BffSessionResponse => (!state.signedIn ? ANONYMOUS : state.linked ? SIGNED_IN : { ...SIGNED_IN, connections: [] });
  const fail = (res: ServerResponse, status: number, code: BffErrorCode) => {
    const body: BffErrorBody = { error: { code, message: `Refused: ${code}.` } };
    res.writeHead(status, { 'content-type': 'application/json', [BFF_ERROR_HEADER]: code });
    res.end(JSON.stringify(body));
  };
  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = await listen((req: IncomingMessage, res: ServerResponse) => {
    const csrf = req.headers[CSRF_HEADER] as string | undefined;
    state.log.push({ method: req.method!, url: req.url!, csrf });
    const path = new URL(req.url!, 'http://bff.test').pathname;
    if (req.method !== 'GET' && csrf !== CSRF_HEADER_VALUE) return fail(res, 403, 'csrf_rejected');
    if (req.method === 'GET' && path === '/bff/session') return json(res, session());
    if (req.method === 'POST' && path === '/bff/logout') {
      state.signedIn = false;
      return void res.writeHead(204).end();
    }
    if (req.method === 'POST' && path === '/bff/disconnect/demo') {
      if (!state.signedIn) return fail(res, 401, 'login_required');
      state.linked = false;
      return void res.writeHead(204).end();
    }
    if (path.startsWith('/bff/api/demo/')) {
      if (!state.signedIn) return fail(res, 401, 'login_required');
      return json(res, { sub: 'u-alice', path, csrf });
    }
    fail(res, 404, 'not_found');
  });
  return Object.assign(state, { url: server.url, close: () => server.close() });
}
