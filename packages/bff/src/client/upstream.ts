import { Pool, errors, type Dispatcher } from 'undici';
import { BffError } from '../errors.js';
import type { UpstreamSignal } from '../api/remote-client.js';

export interface UpstreamRequest {
  method: string;
  /** `https://api.example`: picks the pool. */
  origin: string;
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/**
 * One keep-alive `undici` pool per upstream origin: the proxy is the hot path, and a pooled client
 * serves about twice the requests per second of the global `fetch`.
 */
export interface UpstreamPools {
  /** Sends `request`; `timeoutMs` bounds the wait for the headers and each pause in the body. */
  request(request: UpstreamRequest, timeoutMs: number, signal?: UpstreamSignal): Promise<Dispatcher.ResponseData>;
  close(): Promise<void>;
}

export interface UpstreamPoolOptions {
  /** Connections per origin. Default 64. */
  connections?: number;
  /** Idle keep-alive, in milliseconds. Default 30000. */
  keepAliveTimeoutMs?: number;
}

function isTimeout(error: unknown): boolean {
  return (
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError ||
    (error instanceof Error && error.name === 'TimeoutError')
  );
}

/** The BFF's error for a failed upstream call or answer: `upstream_timeout` or `upstream_error`. */
export function upstreamFailure(error: unknown): BffError {
  if (isTimeout(error)) return new BffError('upstream_timeout', 'The provider did not answer in time.', { cause: error });
  return new BffError('upstream_error', 'The provider could not be reached.', { cause: error });
}

/** Rejects with the BFF's error for a failed upstream call. */
const throwUpstreamFailure = (error: unknown): never => {
  throw upstreamFailure(error);
};

export function createUpstreamPools(options: UpstreamPoolOptions = {}): UpstreamPools {
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: options.connections ?? 64,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
      });
      pools.set(origin, pool);
    }
    return pool;
  };
  return {
    // Not an async function: the proxy's hot path pays for one promise here, not three.
    request({ method, origin, path, headers, body }, timeoutMs, signal) {
      let sent: Promise<Dispatcher.ResponseData>;
      try {
        sent = poolFor(origin).request({
          method: method as Dispatcher.HttpMethod,
          path,
          headers,
          body: body ?? null,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: signal ?? null,
        });
      } catch (error) {
        return Promise.reject(upstreamFailure(error));
      }
      return sent.then(undefined, throwUpstreamFailure);
    },
    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((pool) => pool.close()));
    },
  };
}
