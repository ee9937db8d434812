import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';

/**
 * Emits `abort` (and reads `aborted`, as undici checks before sending) when the browser's connection
 * closes before its answer was written, so the upstream request it asked for stops too. An
 * `EventEmitter`, which undici accepts as a signal, costs a fraction of an `AbortController` per call.
 */
export class ClientGone extends EventEmitter {
  aborted = false;

  constructor(res: ServerResponse) {
    super();
    res.once('close', () => {
      if (res.writableFinished) return;
      this.aborted = true;
      this.emit('abort');
    });
  }
}
