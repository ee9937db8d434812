// Reference points between (b) and (c): the framework the BFF is built on with nothing of the BFF.
// A Koa app whose one middleware forwards the request to argv[2] and answers with what came back.
// No session, no token, no CSRF or path checks. argv[3] picks the variant:
//   undici-stream  (default) an undici Pool (64 keep-alive connections, as the BFF's), the answer's
//                  stream set as Koa's body
//   undici-buffer  the same Pool, the answer read into a Buffer first, as the BFF does with an
//                  answer of known length up to 64 KB
//   http-buffer    a node:http keep-alive Agent (64 sockets), the answer read into a Buffer first
import { Agent, request } from 'node:http';
import Koa from 'koa';
import { Pool } from 'undici';
import { serve } from '../lib/child.mjs';

const upstream = new URL(process.argv[2]);
const variant = process.argv[3] ?? 'undici-stream';
const pool = new Pool(upstream.origin, { connections: 64, keepAliveTimeout: 30_000 });
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

function viaHttp(method, path, headers) {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: upstream.hostname, port: upstream.port, method, path, headers, agent }, (answer) => {
      const chunks = [];
      answer.on('data', (chunk) => chunks.push(chunk));
      answer.on('end', () => resolve({ statusCode: answer.statusCode, headers: answer.headers, body: Buffer.concat(chunks) }));
      answer.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

async function forward(ctx) {
  const headers = { accept: ctx.get('accept') || '*/*' };
  if (variant === 'http-buffer') return viaHttp(ctx.method, ctx.url, headers);
  const answer = await pool.request({ method: ctx.method, path: ctx.url, headers });
  if (variant === 'undici-buffer') return { ...answer, body: Buffer.from(await answer.body.arrayBuffer()) };
  // Without a listener, a client that leaves before the answer arrives would crash the process.
  answer.body.on('error', () => undefined);
  return answer;
}

await serve(async () => {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx) => {
    const answer = await forward(ctx);
    ctx.status = answer.statusCode;
    for (const [name, value] of Object.entries(answer.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) ctx.set(name, value);
    }
    ctx.body = answer.body;
  });
  return { handler: app.callback() };
});
