/**
 * Moves lines from one reader to one client, one payload per write. While the socket sends one
 * payload the next batch is read and encoded, but not written until the socket has drained: at
 * most one batch waits per client, so a slow client is simply not read for. This loop is the
 * whole of backpressure.
 */
import type { SourceReader } from '../sources/source.js';
import { encodeShared, type EncodeOptions, type Encoded } from './encode.js';
import { filterTurn } from './filter-lane.js';

export interface Sink {
  /**
   * False when the caller should wait for `drained()` before writing more. `onFlushed` runs once
   * the payload has left our hands (written to the kernel, or the connection is gone).
   */
  write(payload: Buffer, onFlushed?: () => void): boolean;
  drained(): Promise<void>;
  readonly closed: boolean;
}

/** A filtered slice that took longer than this marks its filter as costly: it then waits for its turn. */
const COSTLY_MS = 1;

export async function pump(reader: SourceReader, sink: Sink, options: EncodeOptions, onSent: (encoded: Encoded) => void): Promise<void> {
  let draining: Promise<void> | undefined;
  let costly = false;
  for (;;) {
    const batch = await reader.next();
    if (!batch || sink.closed) return;
    for (let from = 0; ; ) {
      if (costly) {
        await filterTurn();
        if (sink.closed) return;
      }
      const started = options.match ? performance.now() : 0;
      const encoded = encodeShared(batch, options, from);
      const done = encoded.end >= batch.buf.length;
      if (options.match) costly = !done || performance.now() - started > COSTLY_MS;
      // Reusing the batch's buffer early would corrupt a payload still on its way out.
      if (done && !encoded.borrowed) batch.release();
      // Every line filtered out, or a gap in a format that cannot say it.
      if (encoded.payload.length === 0) {
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
      // A slow filter stopped part-way: the rest waits for its turn, after everyone else's I/O.
      from = encoded.end;
    }
  }
}
