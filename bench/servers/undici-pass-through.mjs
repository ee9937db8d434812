// The reference a team would write instead of a BFF: a bare node:http server forwarding to argv[2]
// with an undici Pool (64 keep-alive connections, as the BFF's), the 1 KB answer read whole and
// written with its headers in one call. No checks, no session, no token.
import { Pool } from 'undici';
import { serve } from '../lib/child.mjs';

const upstream = new URL(process.argv[2]);
const pool = new Pool(upstream.origin, { connections: 64, keepAliveTimeout: 30_000 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

await serve(async () => ({
  async handler(req, res) {
    try {
      const answer = await pool.request({ method: req.method, path: req.url, headers: { accept: req.headers.accept ?? '*/*' } });
      const body = await answer.body.bytes();
      const headers = {};
      for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
      res.writeHead(answer.statusCode, headers);
      res.end(body);
    } catch {
      res.statusCode = 502;
      res.end();
    }
  },
}));
