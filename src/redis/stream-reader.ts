/**
 * `listen redis://… --stream KEY`: the stream's entries in order with XREAD BLOCK, a batch per
 * read, always after a concrete entry id (never `$`), so a lost connection resumes exactly after
 * the last entry received. Entries trimmed away before they were read, and a start id beyond the
 * stream's end, are said as gaps (as a server's stream says them), never skipped silently.
 */
import type { GapRecord, StreamRecord } from '../wire/types.js';
import { entryRecords, readEntries, type RawEntry, type ReadReply } from './entry.js';
import { RedisSource, type RedisSourceOptions } from './source.js';
import { compareIds } from '../sources/redis/entry.js';
import { fullId, trimmedAfter } from './trim.js';

export interface StreamReaderOptions extends RedisSourceOptions {
  /** An entry id to start after, or `start`; default: only entries added from now on. */
  from?: string;
  /** Start with the last n entries. */
  tail?: number;
  /** Longest wait of one read (ms); a read ends earlier as soon as an entry comes. */
  blockMs?: number;
}


export class RedisStreamReader extends RedisSource {
  readonly #from: string | undefined;
  readonly #tail: number | undefined;
  readonly #blockMs: number;

  private constructor(opts: StreamReaderOptions) {
    super(opts);
    this.#from = opts.from;
    this.#tail = opts.tail;
    this.#blockMs = opts.blockMs ?? 5000;
  }

  /** Connected: an unreachable Redis fails here, before anything reads. */
  static async open(opts: StreamReaderOptions): Promise<RedisStreamReader> {
    const reader = new RedisStreamReader(opts);
    await reader.connect('evlog-listen');
    return reader;
  }

  async *batches(): AsyncGenerator<StreamRecord[]> {
    const { key } = this.opts;
    const start = await this.#start();
    if (start === undefined) return;
    let after = start.after;
    if (start.tail.length > 0) yield start.tail;
    while (!this.closed) {
      const reply = await this.call<ReadReply>(['XREAD', 'COUNT', String(this.batchSize), 'BLOCK', String(this.#blockMs), 'STREAMS', key, after], this.#blockMs);
      if (reply === undefined) return;
      const entries = readEntries(reply, key);
      if (entries.length === 0) continue;
      const gaps: GapRecord[] = [];
      if (await trimmedAfter((args) => this.call(args), key, after, entries[0]![0])) gaps.push(this.#gap(after, 'trimmed'));
      after = entries[entries.length - 1]![0];
      const { files } = this.opts;
      const records = entryRecords(entries, key, (gap) => gaps.push(gap)).filter((r) => !files || files(r.file ?? ''));
      for (const gap of gaps) await this.opts.onGap?.(gap);
      if (records.length > 0) yield records;
    }
  }

  #gap(after: string, reason: string): GapRecord {
    return { id: after, file: this.opts.key, gap: { reason, bytes: null } };
  }

  /** The id to read after, and with --tail the last n entries to begin with. */
  async #start(): Promise<{ after: string; tail: StreamRecord[] } | undefined> {
    if (this.#from === 'start') return { after: '0-0', tail: [] };
    if (this.#from !== undefined) {
      const last = await this.call<RawEntry[]>(['XREVRANGE', this.opts.key, '+', '-', 'COUNT', '1']);
      if (last === undefined) return undefined;
      if (compareIds(fullId(this.#from), last[0]?.[0] ?? '0-0') <= 0) return { after: this.#from, tail: [] };
      // Another stream's id (or one from before the stream was deleted): waiting for it would wait for ever.
      await this.opts.onGap?.(this.#gap(this.#from, 'id beyond the end of the stream'));
      return { after: '0-0', tail: [] };
    }
    const newest = await this.call<RawEntry[]>(['XREVRANGE', this.opts.key, '+', '-', 'COUNT', String(Math.max(1, this.#tail ?? 0))]);
    if (newest === undefined) return undefined;
    // Newest first: the first is where reading goes on (an empty stream: from its start).
    const after = newest[0]?.[0] ?? '0-0';
    // A gap among the last n entries is history: it says nothing about what comes next.
    const { files } = this.opts;
    const tail = this.#tail ? entryRecords(newest.reverse(), this.opts.key, () => undefined).filter((r) => !files || files(r.file ?? '')) : [];
    return { after, tail };
  }
}
