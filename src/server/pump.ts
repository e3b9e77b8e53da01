/**
 * Moves lines from one reader to one client, one payload per write. While the socket sends one
 * payload the next batch is read and encoded, but not written until the socket has drained: at
 * most one batch waits per client, so a slow client is simply not read for. This loop is the
 * whole of backpressure.
 */
import type { LineReader } from '../follow/reader.js';
import { encodeShared, type EncodeOptions, type Encoded } from './encode.js';

export interface Sink {
  /**
   * False when the caller should wait for `drained()` before writing more. `onFlushed` runs once
   * the payload has left our hands (written to the kernel, or the connection is gone).
   */
  write(payload: Buffer, onFlushed?: () => void): boolean;
  drained(): Promise<void>;
  readonly closed: boolean;
}

export async function pump(reader: LineReader, sink: Sink, options: EncodeOptions, onSent: (encoded: Encoded) => void): Promise<void> {
  let draining: Promise<void> | undefined;
  for (;;) {
    const batch = await reader.next();
    if (!batch || sink.closed) return;
    const encoded = encodeShared(batch, options);
    // Reusing the batch's buffer early would corrupt a payload still on its way out.
    if (!encoded.borrowed) batch.release();
    // Every line filtered out, or a gap in a format that cannot say it.
    if (encoded.payload.length === 0) {
      encoded.release();
      continue;
    }
    if (draining) await draining;
    if (sink.closed) {
      encoded.release();
      return;
    }
    onSent(encoded);
    draining = sink.write(encoded.payload, encoded.release) ? undefined : sink.drained();
  }
}
