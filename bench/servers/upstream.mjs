// The upstream API of the proxy benchmark: every request is answered with the same 1 KB of JSON.
import { serve } from '../lib/child.mjs';

const items = Array.from({ length: 12 }, (_, i) => ({ id: i + 1, name: `item ${i + 1}`, done: i % 3 === 0 }));
let json = JSON.stringify({ items, padding: '' });
json = JSON.stringify({ items, padding: 'x'.repeat(1024 - json.length) });
const body = Buffer.from(json);
if (body.length !== 1024) throw new Error(`the upstream body is ${body.length} bytes, not 1024`);
const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };

await serve(async () => ({
  handler(req, res) {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, headers);
      res.end(body);
    });
  },
}));
