/**
 * The one path from an admitted request to the pump, whatever the transport: a reader from the
 * source, the id it starts after (for the transport's headers), the client counted in the metrics
 * while the pump runs, and everything undone when it ends.
 */
import type { Source, SourceReader } from '../sources/source.js';
import type { Metrics, Transport } from './metrics.js';
import { pump, type Sink } from './pump.js';
import type { Encoding } from './encode.js';
import type { StreamQuery } from './query.js';

export interface SubscribeContext {
  metrics: Metrics;
  maxLineBytes: number;
}

/** A request let in, with the source its `file=` and `from=` picked. */
export type Admitted<E extends Encoding = Encoding> = StreamQuery<E> & { source: Source };

export class Subscription {
  readonly #ctx: SubscribeContext;
  readonly #query: Admitted;
  readonly #reader: SourceReader;

  /** Opens the reader; the caller ties `close` to its peer's going away before anything waits. */
  constructor(ctx: SubscribeContext, query: Admitted) {
    this.#ctx = ctx;
    this.#query = query;
    this.#reader = query.source.open(query.startAt, { maxLineBytes: ctx.maxLineBytes });
  }

  /** The id the stream starts after, for the transport's headers (undefined: nothing to start in yet). */
  startId(): Promise<string | undefined> {
    return this.#reader.resumeId();
  }

  /** Ends the stream (a peer gone, a handshake failed); safe to call at any time, and again. */
  close(): void {
    this.#reader.close();
  }

  /** Streams into `sink` until the reader or the sink is closed. */
  async run(transport: Transport, sink: Sink, encoding: Encoding): Promise<void> {
    const { metrics, maxLineBytes } = this.#ctx;
    const { match, invert } = this.#query;
    metrics.readers.add(this.#reader);
    metrics.clients[transport]++;
    metrics.connections[transport]++;
    try {
      await pump(this.#reader, sink, { encoding, maxLineBytes, match, invert }, (encoded) => metrics.count(transport, encoded));
    } finally {
      this.#reader.close();
      metrics.readers.delete(this.#reader);
      metrics.clients[transport]--;
    }
  }
}
