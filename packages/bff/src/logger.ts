/** Fields a log line may carry. Never pass tokens, secrets, codes, verifiers or cookies here. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** A structured logger; `console` methods or pino/winston adapters fit it. */
export interface BffLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const noop = () => {};

/** The default: logs nothing. */
export const silentLogger: BffLogger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/** Writes JSON lines to the console at `level` and above (default `info`). */
export function consoleLogger(level: LogLevel = 'info'): BffLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  const write = (at: LogLevel) => (message: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(at) < threshold) return;
    const line = JSON.stringify({ level: at, time: new Date().toISOString(), msg: message, ...fields });
    if (at === 'error' || at === 'warn') console.error(line);
    else console.log(line);
  };
  return Object.freeze({ debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') });
}
