/**
 * One client's merged stream: it walks the interleave index from its position and, for each entry
 * of a channel it selected, reads that entry's bytes through its own reader of the file, opened
 * after the entry's start id (so rotation is handled exactly as for one file). Its position is
 * (entry, bytes of that entry delivered): the ids it writes (id.ts).
 *
 * File readers are opened when needed and at most MAX_OPEN at a time (least recently used closed
 * first), so a client of thousands of files holds few descriptors; a reader reopened at an entry's
 * start is where the closed one would have been.
 */
import type { Channels } from '../channels.js';
import type { LineBatch, Source, SourceReader, Start } from '../source.js';
import { consumed, countLines, passOver, split } from './batches.js';
import { decodeMergedId, encodeMergedId, idPrefix } from './id.js';
import type { Entry, MergeLog } from './log.js';
import { entryStart } from './span.js';

const MAX_OPEN = 32;
const EMPTY = Buffer.alloc(0);
const noop = (): void => undefined;

interface Slot {
  reader: SourceReader;
  /** Lines read past the entry they were read for: they open the channel's next entry. */
  rest?: LineBatch;
  /** Bytes to pass over before delivering (resuming part-way into an entry). */
  skip: number;
}

export class MergedReader implements SourceReader {
  readonly #log: MergeLog;
  readonly #channels: Channels;
  readonly #select: (name: string) => boolean;
  readonly #maxLineBytes: number;
  readonly #slots = new Map<number, Slot>();
  #entry: number;
  #bytes = 0;
  /** Lines of the first entry to pass over (`tail=n` starting part-way into an entry). */
  #skipLines = 0;
  #gap: string | undefined;
  /** Channels whose last delivery was a gap: a second one before any line says nothing new. */
  readonly #gapped = new Set<number>();
  /** The entry read again from its own start after its reader met a gap (see next()). */
  #retried = -1;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(log: MergeLog, channels: Channels, select: (name: string) => boolean, start: Start, maxLineBytes: number) {
    this.#log = log;
    this.#channels = channels;
    this.#select = select;
    this.#maxLineBytes = maxLineBytes;
    this.#entry = log.end;
    if (start.kind === 'start') this.#from(log.first, 0, log.first > 0 ? 'older entries of the index were dropped' : undefined);
    else if (start.kind === 'tail') this.#tail(start.lines);
    else if (start.kind === 'after') this.#after(start.id);
  }

  #from(entry: number, bytes: number, gap: string | undefined): void {
    this.#entry = entry;
    this.#bytes = bytes;
    this.#gap = gap;
  }

  #after(id: string): void {
    const p = decodeMergedId(id);
    const log = this.#log;
    if (!p || p.epoch !== log.epoch) this.#from(log.first, 0, 'id of another index (the state directory was reset)');
    else if (p.entry < log.first) this.#from(log.first, 0, 'id older than the index keeps');
    else if (p.entry > log.end) this.#from(log.first, 0, 'id beyond the end of the index');
    else this.#from(p.entry, p.bytes, undefined);
  }

  /** Back from the end, over the selected channels' entries, until they hold `n` lines. */
  #tail(n: number): void {
    let lines = 0;
    let seq = this.#log.end;
    while (lines < n && seq > this.#log.first) {
      const e = this.#log.at(--seq)!;
      if (this.#select(this.#log.channelName(e.channel))) lines += e.lines;
    }
    this.#entry = seq;
    this.#skipLines = Math.max(0, lines - n);
  }

  get lag(): number {
    const e = this.#log.at(this.#entry);
    return e ? this.#log.total - e.total + e.bytes - this.#bytes : 0;
  }

  async resumeId(): Promise<string | undefined> {
    return encodeMergedId({ epoch: this.#log.epoch, entry: this.#entry, bytes: this.#bytes });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots.values()) slot.reader.close();
    this.#slots.clear();
    this.#wake?.();
  }

  async next(): Promise<LineBatch | undefined> {
    for (;;) {
      if (this.#closed || this.#log.closed) return undefined;
      if (this.#gap !== undefined || this.#entry < this.#log.first) {
        const reason = this.#gap ?? 'this stream fell behind what the index keeps';
        this.#gap = undefined;
        if (this.#entry < this.#log.first) {
          // Readers stand where the dropped entries were: reopen each at its next entry's start.
          for (const slot of this.#slots.values()) slot.reader.close();
          this.#slots.clear();
          this.#from(this.#log.first, 0, undefined);
        }
        return this.#gapBatch(reason, '*');
      }
      const changed = this.#log.changed();
      const e = this.#log.at(this.#entry);
      if (!e) {
        await this.#until(changed);
        continue;
      }
      const name = this.#log.channelName(e.channel);
      const source = this.#select(name) ? this.#channels.get(name) : undefined;
      if (!source || this.#bytes >= e.bytes) {
        this.#done();
        continue;
      }
      const batch = await this.#read(e, source, name);
      if (this.#closed) return undefined;
      if (!batch) {
        // The file is gone from its path (the reader would wait for it to come back): on to the next
        // entry, with a reader opened afresh where that one starts.
        this.#slots.get(e.channel)?.reader.close();
        this.#slots.delete(e.channel);
        this.#done();
        continue;
      }
      if (batch.gap) {
        // The reader went on to the oldest data present, which may hold this entry's lines or be
        // past them: read the entry again from its own start (span.ts); a second gap there says
        // they are gone, and the next entry opens its reader afresh.
        this.#slots.get(e.channel)?.reader.close();
        this.#slots.delete(e.channel);
        if (this.#retried === this.#entry) this.#done();
        else this.#retried = this.#entry;
        if (this.#gapped.has(e.channel)) continue;
        this.#gapped.add(e.channel);
        return this.#gapBatch(batch.gap.reason, name, batch.gap.bytes);
      }
      this.#gapped.delete(e.channel);
      const out = this.#deliver(batch, name);
      if (out) return out;
    }
  }

  /** The entry's next lines from the channel's own reader; undefined when the file is not there. */
  async #read(e: Entry, source: Source, name: string): Promise<LineBatch | undefined> {
    const slot = await this.#slot(e, source);
    if (!slot) return undefined;
    for (;;) {
      let batch = slot.rest;
      slot.rest = undefined;
      if (!batch) {
        // Lines the head reader read are in the file, so this does not wait (see next() for when not).
        batch = await slot.reader.next();
        if (!batch || this.#closed) return undefined;
      }
      if (batch.gap) return { ...batch, gap: { ...batch.gap, file: name } };
      if (slot.skip > 0) {
        const over = passOver(batch, slot.skip);
        [slot.rest, slot.skip] = [over.rest, over.skip];
        this.#bytes -= over.back;
        continue;
      }
      const [part, rest] = split(batch, e.bytes - this.#bytes);
      slot.rest = rest;
      return part;
    }
  }

  /** The channel's reader, opened after the entry's start when it has none (closing the least used). */
  async #slot(e: Entry, source: Source): Promise<Slot | undefined> {
    let slot = this.#slots.get(e.channel);
    if (slot) {
      // Most recently used last.
      this.#slots.delete(e.channel);
      this.#slots.set(e.channel, slot);
      return slot;
    }
    if (this.#slots.size >= MAX_OPEN) {
      const [oldest, old] = this.#slots.entries().next().value!;
      old.reader.close();
      this.#slots.delete(oldest);
    }
    const start = entryStart(e);
    if (start.kind === 'after' && !source.isId(start.id)) return undefined;
    const reader = source.open(start, { maxLineBytes: this.#maxLineBytes });
    slot = { reader, skip: this.#bytes };
    this.#slots.set(e.channel, slot);
    // The reader's lag is known once it has found its place.
    if ((await reader.resumeId()) === undefined) return undefined;
    return slot;
  }

  /** The file reader's lines as the merged stream's: ids count bytes into the entry. */
  #deliver(batch: LineBatch, name: string): LineBatch | undefined {
    const n = consumed(batch);
    let buf = batch.buf;
    let at = this.#bytes;
    if (this.#skipLines > 0) {
      const lines = countLines(batch);
      if (lines <= this.#skipLines || batch.single) {
        this.#skipLines -= Math.min(lines, this.#skipLines);
        this.#advance(n);
        return undefined;
      }
      let cut = 0;
      for (let i = 0; i < this.#skipLines; i++) cut = buf.indexOf(0x0a, cut) + 1;
      this.#skipLines = 0;
      buf = buf.subarray(cut);
      at += cut;
    }
    const out: LineBatch = {
      idPrefix: idPrefix(this.#log.epoch, this.#entry),
      idSuffix: '',
      file: name,
      base: at,
      buf,
      single: batch.single && { end: this.#bytes + n, truncated: batch.single.truncated },
      release: buf === batch.buf ? batch.release : noop,
    };
    this.#advance(n);
    return out;
  }

  #advance(n: number): void {
    this.#bytes += n;
    if (this.#bytes >= (this.#log.at(this.#entry)?.bytes ?? 0)) this.#done();
  }

  #done(): void {
    this.#entry++;
    this.#bytes = 0;
  }

  #gapBatch(reason: string, file: string, bytes: number | null = null): LineBatch {
    return { idPrefix: idPrefix(this.#log.epoch, this.#entry), idSuffix: '', file, base: this.#bytes, buf: EMPTY, gap: { reason, bytes, file }, release: noop };
  }

  #until(changed: Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      void changed.then(resolve);
    });
  }
}
