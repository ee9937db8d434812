import nodeConsole from 'node:console';

// happy-dom writes what a browser's devtools would show (every fetch answered with a non-2xx status, every
// refused connection) to Node's own console, past Vitest's capture of test output, so passing tests printed
// dozens of lines. The SDK turns each of these into a typed error or status that the tests assert, so only
// these two shapes are dropped; anything else still prints.
const NETWORK_LOG = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \S+ \d{3} \(.*\)$/;

const isNetworkNoise = (first: unknown): boolean =>
  (typeof first === 'string' && NETWORK_LOG.test(first)) || (first instanceof Error && 'code' in first && first.code === 'ECONNREFUSED');

const error = nodeConsole.error.bind(nodeConsole);
nodeConsole.error = (...args: unknown[]) => {
  if (!isNetworkNoise(args[0])) error(...args);
};
