#!/usr/bin/env node
// The `latchkey-provider` command. It lives outside dist/ so that npm links it even where nothing is built
// yet (a fresh clone of the repository, where `npm install` builds the packages after linking).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('latchkey-provider: dist/bin.js is missing; build the packages first (npm run build).\n');
  process.exit(1);
}
await import(cli.href);
