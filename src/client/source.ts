/**
 * What the listener reads records from, whatever the transport: an evlog server over HTTP or
 * WebSocket, or a Redis stream (read alone or as one consumer of a group).
 */
import type { StreamRecord } from '../wire/types.js';

export interface RecordSource {
  /** Records in the batches they arrived in, until closed (or a failure that retrying cannot mend). */
  batches(): AsyncGenerator<StreamRecord[]>;
  /** Stops reading; the generator returns. */
  close(): void;
}
