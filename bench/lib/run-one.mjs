// Runs one benchmark module in this (child) process and sends its result to bench/run.mjs. Each
// benchmark gets a fresh process: a clean heap for the memory figures, and nothing left running
// from the one before.
import { closeSupport } from './support.mjs';

const [name, ...flags] = process.argv.slice(2);
const send = (message) => new Promise((resolve) => process.send(message, () => resolve()));
const log = (text) => void process.send({ type: 'log', text });

let message;
// A stray rejection inside a benchmark fails that benchmark with its stack, not silently.
process.on('unhandledRejection', (error) => {
  void send({ type: 'error', message: `unhandled rejection: ${error instanceof Error ? error.stack : String(error)}` }).then(() =>
    process.exit(1),
  );
});
try {
  const benchmark = await import(`../benchmarks/${name}.mjs`);
  message = { type: 'result', result: await benchmark.run({ quick: flags.includes('--quick'), log }) };
} catch (error) {
  message = { type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
await closeSupport().catch(() => undefined);
await send(message);
// Servers and browsers are closed by each benchmark; exit even if a library left a timer behind.
process.exit(0);
