// The baseline proxy: a bare node:http pass-through to argv[2] with a keep-alive agent, no checks,
// no session, no token. What any proxy costs before it does anything of its own.
import { Agent, request } from 'node:http';
import { serve } from '../lib/child.mjs';

const upstream = new URL(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

await serve(async () => ({
  handler(req, res) {
    const outgoing = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    outgoing.on('error', () => {
      res.statusCode = 502;
      res.end();
    });
    req.pipe(outgoing);
  },
}));
