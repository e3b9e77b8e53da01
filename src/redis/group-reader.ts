/**
 * `listen redis://… --stream KEY --group NAME`: this listener as one consumer of a group. It first
 * reads its own pending entries (left by an earlier run under the same consumer name), then new
 * ones (`>`), and now and then takes over entries idle past `claimIdleMs` (XAUTOCLAIM), whoever
 * held them: a consumer that died, or an event whose callback failed here or elsewhere. Each entry
 * is handed to the commit with its delivery count (from XPENDING), which decides the dead letter.
 */
import type { GroupCommit } from '../listen/group-commit.js';
import { RuntimeError } from '../errors.js';
import type { StreamRecord } from '../wire/types.js';
import { entryGap, entryRecord, readEntries, type RawEntry, type ReadReply } from './entry.js';
import { RedisSource, type RedisSourceOptions } from './source.js';
import { compareIds } from '../sources/redis/entry.js';
import { fullId } from './trim.js';

export interface GroupReaderOptions extends RedisSourceOptions {
  group: string;
  consumer: string;
  /** Where a group created now starts: `start`, an entry id, or (default) the stream's end. */
  from?: string;
  claimIdleMs: number;
  commit: GroupCommit;
  blockMs?: number;
  /** How many more events the listener wants (`-n`): it never reads more, which would leave them pending under its name. */
  remaining?: () => number;
}

type ClaimReply = [next: string, entries: (RawEntry | null)[], deleted?: string[]];
type PendingReply = [id: string, consumer: string, idleMs: number, deliveries: number][];

function replyCode(err: unknown): string | undefined {
  const cause = err instanceof RuntimeError ? (err.cause as Error | undefined) : undefined;
  return cause?.message.split(' ', 1)[0];
}

export class RedisGroupReader extends RedisSource {
  readonly #g: GroupReaderOptions;
  readonly #claimEveryMs: number;
  #claimCursor = '0-0';
  #startGap: string | undefined;

  private constructor(opts: GroupReaderOptions) {
    super(opts);
    this.#g = opts;
    // Often enough that a dead consumer's events wait little beyond claimIdleMs, rarely enough to cost nothing.
    this.#claimEveryMs = Math.min(5000, Math.max(20, Math.round(opts.claimIdleMs / 4)));
  }

  /** Connected, and the group there (created when missing): failures say so before anything reads. */
  static async open(opts: GroupReaderOptions): Promise<RedisGroupReader> {
    const reader = new RedisGroupReader(opts);
    try {
      await reader.connect('evlog-listen');
      await reader.#createGroup();
    } catch (err) {
      // An open connection would keep the process waiting after the error was said.
      reader.close();
      throw err;
    }
    return reader;
  }

  async *batches(): AsyncGenerator<StreamRecord[]> {
    if (this.#startGap) this.opts.log?.(this.#startGap);
    // Own pending first, oldest first: a restarted listener finishes what it held.
    for (let after = '0'; ;) {
      const entries = await this.#read(after);
      if (entries === undefined) return;
      if (entries.length === 0) break;
      after = entries[entries.length - 1]![0];
      const counts = await this.#deliveries(entries[0]![0], after, entries.length);
      if (counts === undefined) return;
      const records = this.#deliver(entries, (id) => counts.get(id) ?? 1);
      if (records.length > 0) yield records;
    }
    let nextClaim = 0;
    while (!this.closed) {
      const now = Date.now();
      if (now >= nextClaim) {
        const claimed = await this.#claim();
        if (claimed === undefined) return;
        // A full round of the pending list: wait before the next one.
        if (this.#claimCursor === '0-0') nextClaim = now + this.#claimEveryMs;
        if (claimed.length > 0) yield claimed;
        continue;
      }
      const entries = await this.#read('>', Math.min(this.#g.blockMs ?? 5000, nextClaim - now));
      if (entries === undefined) return;
      // Entries read as new are on their first delivery.
      const records = this.#deliver(entries, () => 1);
      if (records.length > 0) yield records;
    }
  }

  async #createGroup(): Promise<void> {
    const { key, group, from } = this.#g;
    // An id beyond the end (another stream's) would start a group that waits for ever: say so, start at the start.
    const beyond = from !== undefined && from !== 'start' && (await this.#beyondEnd(from));
    const start = beyond || from === 'start' ? '0' : from ?? '$';
    try {
      await this.call(['XGROUP', 'CREATE', key, group, start, 'MKSTREAM']);
    } catch (err) {
      if (replyCode(err) !== 'BUSYGROUP') throw err;
      return;
    }
    // Said once reading begins (the listener is not ready for it yet); no entry has that id to acknowledge.
    if (beyond) this.#startGap = `gap in ${key}: id beyond the end of the stream`;
  }

  async #beyondEnd(id: string): Promise<boolean> {
    const last = await this.call<RawEntry[]>(['XREVRANGE', this.#g.key, '+', '-', 'COUNT', '1']);
    return last !== undefined && compareIds(fullId(id), last[0]?.[0] ?? '0-0') > 0;
  }

  #count(): number {
    const wanted = this.#g.remaining?.() ?? Number.POSITIVE_INFINITY;
    return Math.max(1, Math.min(this.batchSize, wanted));
  }

  /** Reads after `after` (`>`: new entries). */
  async #read(after: string, blockMs?: number): Promise<RawEntry[] | undefined> {
    const { key, group, consumer } = this.#g;
    const args = ['XREADGROUP', 'GROUP', group, consumer, 'COUNT', String(this.#count())];
    const block = blockMs === undefined ? undefined : Math.max(1, Math.round(blockMs));
    if (block !== undefined) args.push('BLOCK', String(block));
    args.push('STREAMS', key, after);
    const reply = await this.#regrouping(() => this.call<ReadReply>(args, block));
    return reply === undefined ? undefined : readEntries(reply, key);
  }

  /** A group gone (Redis restarted without its data, a user's XGROUP DESTROY) is created again. */
  async #regrouping<T>(command: () => Promise<T | undefined>): Promise<T | null | undefined> {
    try {
      return await command();
    } catch (err) {
      if (replyCode(err) !== 'NOGROUP') throw err;
      this.opts.log?.(`group ${this.#g.group} of ${this.opts.key} is gone; creating it again`);
      await this.#createGroup();
      return null;
    }
  }

  /** Delivery counts of this consumer's pending entries from `first` to `last`. */
  async #deliveries(first: string, last: string, count: number): Promise<Map<string, number> | undefined> {
    const { key, group, consumer } = this.#g;
    const pending = await this.call<PendingReply>(['XPENDING', key, group, first, last, String(count), consumer]);
    return pending && new Map(pending.map(([id, , , n]) => [id, Number(n)]));
  }

  /** One step through the group's pending list: entries idle too long become this listener's. */
  async #claim(): Promise<StreamRecord[] | undefined> {
    const { key, group, consumer, claimIdleMs, commit } = this.#g;
    const reply = await this.#regrouping(() => this.call<ClaimReply>(['XAUTOCLAIM', key, group, consumer, String(claimIdleMs), this.#claimCursor, 'COUNT', String(this.#count())]));
    if (reply === undefined) return undefined;
    if (reply === null) return [];
    this.#claimCursor = reply[0];
    // Entries this listener still works on (a long callback) stay with that work, not claimed twice.
    const entries = reply[1].filter((e): e is RawEntry => e !== null && !commit.holds(e[0]));
    if (entries.length === 0) return [];
    const counts = await Promise.all(entries.map(([id]) => this.#deliveries(id, id, 1)));
    const byId = new Map<string, number>();
    for (const c of counts) for (const [id, n] of c ?? []) byId.set(id, n);
    return this.#deliver(entries, (id) => byId.get(id) ?? 1);
  }

  /** Records for the entries, each handed to the commit; entries deleted from the stream are just acknowledged. */
  #deliver(entries: readonly RawEntry[], deliveries: (id: string) => number): StreamRecord[] {
    const records: StreamRecord[] = [];
    for (const [id, fields] of entries) {
      if (fields === null) {
        this.#g.commit.ack(id);
        continue;
      }
      const gap = entryGap(id, fields);
      if (gap) {
        // Nothing to handle: said once, and acknowledged so that no one is handed it again.
        void this.#g.onGap?.(gap);
        this.#g.commit.ack(id);
        continue;
      }
      const record = entryRecord(id, fields, this.#g.key);
      if (this.#g.files && !this.#g.files(record.file ?? '')) {
        // Another file's event (-f): left out and acknowledged, as a line -m leaves out is.
        this.#g.commit.ack(id);
        continue;
      }
      this.#g.commit.deliver(id, deliveries(id));
      records.push(record);
    }
    return records;
  }
}
