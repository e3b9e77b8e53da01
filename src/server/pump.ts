/**
 * Moves lines from one reader to one client: read only when the socket accepts more, one payload
 * per write. This loop is the whole of backpressure: a slow client is simply not read for.
 */
import type { LineReader } from '../follow/reader.js';
import { encodeBatch, type EncodeOptions, type Encoded } from './encode.js';

export interface Sink {
  /**
   * False when the caller should wait for `drained()` before writing more. `onFlushed` runs once
   * the payload has left our hands (written to the kernel, or the connection is gone).
   */
  write(payload: string | Buffer, onFlushed?: () => void): boolean;
  drained(): Promise<void>;
  readonly closed: boolean;
}

export async function pump(reader: LineReader, sink: Sink, options: EncodeOptions, onSent: (encoded: Encoded) => void): Promise<void> {
  for (;;) {
    const batch = await reader.next();
    if (!batch || sink.closed) return;
    const encoded = encodeBatch(batch, options);
    onSent(encoded);
    // Reusing the batch's buffer early would corrupt a payload still on its way out.
    if (!encoded.borrowed || encoded.sent === 0) batch.release();
    if (encoded.sent === 0) continue;
    if (!sink.write(encoded.payload, encoded.borrowed ? batch.release : undefined)) await sink.drained();
  }
}
