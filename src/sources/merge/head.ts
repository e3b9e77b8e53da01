/**
 * One head reader per channel: it reads each file as it grows (from where the index left it, or
 * from the file's start for a file new to the index) and appends an entry per batch to the index.
 * The order in which batches arrive here is the merged stream's order, once and for all.
 */
import type { Channel, Channels } from '../channels.js';
import type { LineBatch, SourceReader } from '../source.js';
import type { MergeLog } from './log.js';

/** What a batch of a file reader moves its position by, in the reader's own units (bytes). */
export function consumed(batch: LineBatch): number {
  return batch.single ? batch.single.end - batch.base : batch.buf.length;
}

export function countLines(batch: LineBatch): number {
  if (batch.single) return 1;
  let n = 0;
  for (let i = batch.buf.indexOf(0x0a); i !== -1; i = batch.buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

export class HeadReaders {
  readonly #log: MergeLog;
  readonly #maxLineBytes: number;
  readonly #readers = new Map<string, SourceReader>();
  readonly #running = new Set<Promise<void>>();
  readonly #onAdd = (c: Channel): void => this.#follow(c);
  readonly #onRemove = (c: Channel): void => {
    this.#readers.get(c.name)?.close();
    this.#readers.delete(c.name);
  };
  readonly #channels: Channels;

  constructor(channels: Channels, log: MergeLog, maxLineBytes: number) {
    this.#channels = channels;
    this.#log = log;
    this.#maxLineBytes = maxLineBytes;
    for (const c of channels.list()) this.#follow(c);
    channels.on('add', this.#onAdd);
    channels.on('remove', this.#onRemove);
  }

  #follow({ name, source }: Channel): void {
    const after = this.#log.lastEnd(name);
    const reader = source.open(after === undefined || after === 'start' ? { kind: 'start' } : { kind: 'after', id: after }, { maxLineBytes: this.#maxLineBytes });
    this.#readers.set(name, reader);
    const run = this.#run(name, reader).catch(() => reader.close());
    this.#running.add(run);
    void run.then(() => this.#running.delete(run));
  }

  async #run(name: string, reader: SourceReader): Promise<void> {
    for (;;) {
      const batch = await reader.next();
      if (!batch || this.#log.closed) return;
      // A gap is the file's business: a client reading these bytes meets it in its own reader.
      if (!batch.gap) {
        const bytes = consumed(batch);
        this.#log.append(name, countLines(batch), bytes, batch.idPrefix + (batch.base + bytes).toString(36) + batch.idSuffix);
      }
      batch.release();
    }
  }

  async close(): Promise<void> {
    this.#channels.off('add', this.#onAdd);
    this.#channels.off('remove', this.#onRemove);
    for (const r of this.#readers.values()) r.close();
    await Promise.all(this.#running);
  }
}
