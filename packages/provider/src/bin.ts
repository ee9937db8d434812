#!/usr/bin/env node
import { runCli } from './cli/run-cli.js';

const result = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
if (!result.ok) {
  process.exitCode = result.exitCode;
} else {
  const stop = () => void result.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
