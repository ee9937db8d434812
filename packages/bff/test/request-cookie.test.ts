import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { requestCookie } from '../src/http/request-cookie.js';

const NAMES = ['latchkey', '__Host-latchkey', 'latchkey-login', 'a.b', 'x'];

const HEADERS = [
  undefined,
  '',
  'latchkey=abc',
  'latchkey=abc; __Host-latchkey=def',
  '__Host-latchkey=def;latchkey=abc',
  'xlatchkey=no; latchkey=yes',
  'latchkey="quoted"',
  'latchkey="',
  'latchkey=',
  'latchkey=one; latchkey=two',
  ';  latchkey=spaced',
  'a.b=dot; aXb=not',
  'aXb=not',
  'latchkey-login=binding; latchkey=session',
  'x=1;x=2',
  'latchkey = spaced-name',
  'LATCHKEY=upper',
];

describe('requestCookie', () => {
  it("reads a cookie as Koa's ctx.cookies.get does, unsigned", () => {
    const app = new Koa({ keys: ['a key'] });
    for (const cookie of HEADERS) {
      const req = new IncomingMessage(new Socket());
      if (cookie !== undefined) req.headers.cookie = cookie;
      const ctx = app.createContext(req, new ServerResponse(req));
      for (const name of NAMES) {
        expect({ cookie, name, value: requestCookie(req.headers, name) }).toEqual({
          cookie,
          name,
          value: ctx.cookies.get(name, { signed: false }),
        });
      }
    }
  });
});
