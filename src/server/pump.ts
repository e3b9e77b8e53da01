/**
 * Moves lines from one reader to one client, one payload per write. While the socket sends one
 * payload the next batch is read and encoded, but not written until the socket has drained: at
 * most one batch waits per client, so a slow client is simply not read for. This loop is the
 * whole of backpressure.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
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
    for (let from = 0; ; ) {
      const encoded = encodeShared(batch, options, from);
      const done = encoded.end >= batch.buf.length;
      // Reusing the batch's buffer early would corrupt a payload still on its way out.
      if (done && !encoded.borrowed) batch.release();
      if (encoded.sent === 0) {
        encoded.release();
      } else {
        if (draining) await draining;
        if (sink.closed) {
          encoded.release();
          return;
        }
        onSent(encoded);
        draining = sink.write(encoded.payload, encoded.release) ? undefined : sink.drained();
      }
      if (done) break;
      // A slow filter stopped part-way: let other clients and requests have the thread first.
      from = encoded.end;
      await nextTurn();
      if (sink.closed) return;
    }
  }
}
