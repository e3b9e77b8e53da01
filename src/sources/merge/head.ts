/**
 * One head reader per channel: it reads each file as it grows (from where the index left it, or
 * from the file's start for a file new to the index) and appends an entry per batch to the index.
 * The order in which batches arrive here is the merged stream's order, once and for all.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel, Channels } from '../channels.js';
import type { SourceReader } from '../source.js';
import { consumed, countLines } from './batches.js';
import type { MergeLog } from './log.js';


/** Bytes behind a file's end that count as keeping pace with its writer. */
const LIVE_EDGE = 64 * 1024;

export class HeadReaders {
  readonly #log: MergeLog;
  readonly #maxLineBytes: number;
  readonly #readers = new Map<string, SourceReader>();
  /** Entries appended per channel, to tell a reader still catching up from one held by an unfinished line. */
  readonly #appended = new Map<string, number>();
  /** Each reader once it has found its place (before that its lag says nothing). */
  readonly #placed = new Set<Promise<unknown>>();
  readonly #running = new Set<Promise<void>>();
  readonly #onAdd = (c: Channel): void => this.#follow(c);
  readonly #onRemove = (c: Channel): void => {
    this.#readers.get(c.name)?.close();
    this.#readers.delete(c.name);
  };
  readonly #channels: Channels;
  readonly #onWarning: (message: string) => void;

  constructor(channels: Channels, log: MergeLog, maxLineBytes: number, onWarning: (message: string) => void) {
    this.#channels = channels;
    this.#onWarning = onWarning;
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
    this.#placed.add(reader.resumeId());
    const run = this.#run(name, reader).catch((err: unknown) => {
      // The index cannot be written (a full disk): the file's own stream (file=) still works.
      this.#onWarning(`cannot index ${name} for the merged stream any more: ${(err as Error).message}`);
      reader.close();
    });
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
        this.#appended.set(name, (this.#appended.get(name) ?? 0) + 1);
      }
      batch.release();
    }
  }

  /**
   * Resolves once every file has been read up to where it stood: what was there before the server
   * started (a file new to the index, or lines written while no server ran) is indexed before any
   * client asks for "new lines only". Caught up: nothing left to read; or, since the last look,
   * a lag that stayed put with nothing indexed (held by a line still being written), or one within
   * a read of the end (keeping pace with a writer that is still writing).
   */
  async caughtUp(pollMs = 50): Promise<void> {
    await Promise.all(this.#placed);
    this.#placed.clear();
    let before = new Map<string, [number, number]>();
    for (;;) {
      const now = new Map([...this.#readers].map(([name, r]) => [name, [r.lag, this.#appended.get(name) ?? 0] as [number, number]]));
      const done = [...now].every(([name, [lag, appended]]) => {
        const seen = before.get(name);
        return lag <= 0 || (seen !== undefined && ((seen[0] === lag && seen[1] === appended) || lag <= LIVE_EDGE));
      });
      if (done) return;
      before = now;
      await sleep(pollMs);
    }
  }

  async close(): Promise<void> {
    this.#channels.off('add', this.#onAdd);
    this.#channels.off('remove', this.#onRemove);
    for (const r of this.#readers.values()) r.close();
    await Promise.all(this.#running);
  }
}
