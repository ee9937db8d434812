import { LatchkeyError, type LatchkeyErrorOptions } from '@latchkey/common';
import type { RecordClass } from './record-class.js';

/**
 * A store refused a new record because its bound for that class is reached and every record in it is
 * still live. Refusing is the safe answer: making room would silently drop a user's tokens or a
 * reuse marker. Endpoints answer it as 503 (`temporarily_unavailable` in OAuth 2).
 */
export class StorageFullError extends LatchkeyError<'storage_full'> {
  /** The class whose bound was reached. */
  readonly recordClass: RecordClass;
  /** HTTP status for Koa's own error path (the OAuth 1 endpoints). */
  readonly status = 503;
  /** Koa shows the message: it names a class and a bound, never a key or a value. */
  readonly expose = true;

  constructor(recordClass: RecordClass, bound: number, options?: LatchkeyErrorOptions) {
    super('storage_full', `The provider's store holds its maximum of ${bound} ${recordClass} records; try again later.`, options);
    this.recordClass = recordClass;
  }
}
