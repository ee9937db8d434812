import { LatchkeyError, type LatchkeyErrorOptions } from '@latchkey/common';

/** Why the demo could not start; the command line prints the message and exits with status 1. */
const DEMO_ERROR_CODES = ['invalid_arguments', 'port_in_use', 'listen_failed', 'missing_credentials', 'unknown_preset'] as const;
export type DemoErrorCode = (typeof DEMO_ERROR_CODES)[number];

export class DemoError extends LatchkeyError<DemoErrorCode> {
  constructor(code: DemoErrorCode, message: string, options?: LatchkeyErrorOptions) {
    super(code, message, options);
  }
}
