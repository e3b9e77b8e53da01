/**
 * One subscriber's cursor into a Redis stream: the entry id it has delivered up to. It reads with
 * `XRANGE (after + COUNT n` only when asked (a slow client costs Redis nothing), and waits on the
 * head's signal at the end of the stream. Entries trimmed away before this client read them are
 * said with a gap record, not skipped silently: each read starts at the entry delivered last, in
 * the same command, so its absence shows the trim without a round trip more.
 */
import type { LineBatch, SourceReader, Start } from '../source.js';
import type { SourceRecord } from '../batch.js';
import type { RedisClient } from '../../redis/client.js';
import { compareIds, entryRecord, type RawEntry } from './entry.js';
import type { StreamHead } from './head.js';
import { sleep } from '../../sleep.js';

/** Entries per read: one socket write each, as a file read of 256 KB is. */
const READ_COUNT = 1000;
const EMPTY = Buffer.alloc(0);
const noop = (): void => undefined;

export interface RedisReaderContext {
  key: string;
  client: RedisClient;
  head: StreamHead;
}

export class RedisReader implements SourceReader {
  readonly #ctx: RedisReaderContext;
  readonly #start: Start;
  #begun: Promise<void> | undefined;
  /** The id of the last entry delivered (or the start point). */
  #after = '0-0';
  /** A gap to report before anything else (a resume point that is no longer in the stream). */
  #gap: SourceRecord | undefined;
  /** `#after` is an entry this reader delivered (not a start point): reads include it, to see it is still there. */
  #delivered = false;
  #closed = false;
  #wake: (() => void) | undefined;
  readonly lag = 0;

  constructor(ctx: RedisReaderContext, start: Start) {
    this.#ctx = ctx;
    this.#start = start;
  }

  async resumeId(): Promise<string | undefined> {
    await (this.#begun ??= this.#begin());
    return this.#after;
  }

  async next(): Promise<LineBatch | undefined> {
    await (this.#begun ??= this.#begin());
    for (;;) {
      if (this.#closed) return undefined;
      if (this.#gap) {
        const gap = this.#gap;
        this.#gap = undefined;
        return batchOf(this.#ctx.key, [gap]);
      }
      const changed = this.#ctx.head.changed();
      const entries = await this.#read();
      if (this.#closed) return undefined;
      if (entries.length > 0) {
        const records = entries.map((entry) => entryRecord(entry, this.#ctx.key));
        // The entry read last is read again with what follows: gone means trimmed away meanwhile.
        if (this.#delivered && entries[0]![0] === this.#after) records.shift();
        else if (this.#delivered) records.unshift({ id: this.#after, file: this.#ctx.key, gap: { reason: 'trimmed', bytes: null } });
        this.#after = entries[entries.length - 1]![0];
        this.#delivered = true;
        if (records.length > 0) return batchOf(this.#ctx.key, records);
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        void changed.then(resolve);
      });
    }
  }

  /**
   * The entries after the cursor. A connection lost meanwhile is waited out (the client reconnects
   * on its own): the stream still holds what comes next, so the client just lags.
   */
  async #read(): Promise<RawEntry[]> {
    const { key, client, head } = this.#ctx;
    const from = this.#delivered ? this.#after : `(${this.#after}`;
    for (let wait = 100; ; wait = Math.min(wait * 2, 5000)) {
      try {
        return (await client.sendCommand(['XRANGE', key, from, '+', 'COUNT', String(READ_COUNT + 1)])) as RawEntry[];
      } catch {
        if (this.#closed || head.closed) return [];
        await sleep(wait);
        if (this.#closed) return [];
      }
    }
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  async #begin(): Promise<void> {
    const { key, client, head } = this.#ctx;
    const start = this.#start;
    if (start.kind === 'new') this.#after = await head.last();
    else if (start.kind === 'tail') {
      const newest = (await client.sendCommand(['XREVRANGE', key, '+', '-', 'COUNT', String(start.lines + 1)])) as RawEntry[];
      this.#after = newest.length === start.lines + 1 ? newest[start.lines]![0] : '0-0';
    } else if (start.kind === 'after' && start.id !== '0-0') {
      this.#after = start.id;
      await this.#checkResume(start.id);
    }
  }

  /**
   * An id older than the stream's first entry and no longer in it was trimmed away, and entries
   * after it may have gone with it; an id beyond the stream's end is another stream's. Neither
   * resumes exactly: say so, then go on from the oldest entry there is.
   */
  async #checkResume(id: string): Promise<void> {
    const { key, client, head } = this.#ctx;
    let reason: string | undefined;
    if (compareIds(id, await head.last()) > 0) reason = 'id beyond the end of the stream';
    else {
      const first = (await client.sendCommand(['XRANGE', key, '-', '+', 'COUNT', '1'])) as RawEntry[];
      if (first[0] && compareIds(id, first[0][0]) < 0) {
        const itself = (await client.sendCommand(['XRANGE', key, id, id])) as RawEntry[];
        if (itself.length === 0) reason = 'trimmed';
      }
    }
    if (reason === undefined) return;
    this.#after = '0-0';
    this.#gap = { id: '0-0', file: key, gap: { reason, bytes: null } };
  }
}

function batchOf(file: string, records: SourceRecord[]): LineBatch {
  return { idPrefix: '', idSuffix: '', file, base: 0, buf: EMPTY, records, release: noop };
}
