/**
 * One head reader per channel: it reads each file as it grows (from where the index left it, or
 * from the file's start for a file new to the index) and appends an entry per batch to the index.
 * The order in which batches arrive here is the merged stream's order, once and for all.
 *
 * A reader whose file has been quiet for a while is closed at rest (see SourceReader.atRest) until
 * the file changes, then opened again after the channel's last entry, which is where it stood: an
 * idle channel then costs one waiting promise reaction instead of a reader and its suspended
 * reads (10,000 idle files held some 20 MB of them).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel, Channels } from '../channels.js';
import type { SourceReader } from '../source.js';
import { consumed, countLines } from './batches.js';
import type { MergeLog } from './log.js';


/** Bytes behind a file's end that count as keeping pace with its writer. */
const LIVE_EDGE = 64 * 1024;
/**
 * How long a channel's file stays quiet before its head reader is closed at rest. Settable so that
 * the merged tests can run again with readers closed at every quiet moment (the hardest case).
 */
export const restLimits = { afterMs: 2000 };

interface Head {
  reader: SourceReader;
  channel: Channel;
  /** When it last read something (performance.now()). */
  readAt: number;
}

export class HeadReaders {
  readonly #log: MergeLog;
  readonly #maxLineBytes: number;
  readonly #readers = new Map<string, Head>();
  /** Channels whose reader is closed at rest, until their file changes. */
  readonly #resting = new Map<string, Channel>();
  readonly #restCheck: NodeJS.Timeout;
  #closed = false;
  /** Entries appended per channel, to tell a reader still catching up from one held by an unfinished line. */
  readonly #appended = new Map<string, number>();
  /** Each reader once it has found its place (before that its lag says nothing). */
  readonly #placed = new Set<Promise<unknown>>();
  readonly #running = new Set<Promise<void>>();
  readonly #onAdd = (c: Channel): void => this.#follow(c);
  readonly #onRemove = (c: Channel): void => {
    this.#readers.get(c.name)?.reader.close();
    this.#readers.delete(c.name);
    this.#resting.delete(c.name);
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
    this.#restCheck = setInterval(() => this.#restQuiet(), Math.max(5, restLimits.afterMs / 2)).unref();
  }

  #follow(channel: Channel): void {
    const { name, source } = channel;
    const after = this.#log.lastEnd(name);
    const reader = source.open(after === undefined || after === 'start' ? { kind: 'start' } : { kind: 'after', id: after }, { maxLineBytes: this.#maxLineBytes });
    const head: Head = { reader, channel, readAt: performance.now() };
    this.#readers.set(name, head);
    const placed = reader.resumeId();
    this.#placed.add(placed);
    void placed.finally(() => this.#placed.delete(placed)).catch(() => undefined);
    const run = this.#run(head).catch((err: unknown) => {
      // The index cannot be written (a full disk): the file's own stream (file=) still works.
      this.#onWarning(`cannot index ${name} for the merged stream any more: ${(err as Error).message}`);
      reader.close();
    });
    this.#running.add(run);
    void run.then(() => this.#running.delete(run));
  }

  async #run(head: Head): Promise<void> {
    const { reader, channel: { name } } = head;
    for (;;) {
      const batch = await reader.next();
      if (!batch || this.#log.closed) return;
      head.readAt = performance.now();
      // A gap is the file's business: a client reading these bytes meets it in its own reader.
      if (!batch.gap) {
        const bytes = consumed(batch);
        this.#log.append(name, countLines(batch), bytes, batch.idPrefix + (batch.base + bytes).toString(36) + batch.idSuffix);
        this.#appended.set(name, (this.#appended.get(name) ?? 0) + 1);
      }
      batch.release();
    }
  }

  /** Closes the readers of files quiet for a while, each until its file changes. */
  #restQuiet(): void {
    const now = performance.now();
    for (const [name, head] of this.#readers) {
      const { reader, channel } = head;
      if (now - head.readAt < restLimits.afterMs || !channel.source.changed) continue;
      // Taken before looking: a change from now on wakes the channel, one before shows in atRest.
      const changed = channel.source.changed();
      if (!reader.atRest) continue;
      this.#readers.delete(name);
      reader.close();
      this.#resting.set(name, channel);
      void changed.then(() => {
        if (this.#closed || this.#resting.get(name) !== channel) return;
        this.#resting.delete(name);
        this.#follow(channel);
      });
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
      const now = new Map([...this.#readers].map(([name, { reader }]) => [name, [reader.lag, this.#appended.get(name) ?? 0] as [number, number]]));
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
    this.#closed = true;
    clearInterval(this.#restCheck);
    this.#resting.clear();
    this.#channels.off('add', this.#onAdd);
    this.#channels.off('remove', this.#onRemove);
    for (const { reader } of this.#readers.values()) reader.close();
    await Promise.all(this.#running);
  }
}
