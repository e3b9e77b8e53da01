/**
 * The interleave index of a server of several files: one entry per batch a channel's head reader
 * read (head.ts), in the order they were read. An entry's sequence number is a position in the
 * merged stream; it names its channel, how many lines and bytes the batch held, and the file ids
 * (the FileSource's own) just before and after it. A client replays the order from any entry by
 * reading each entry's lines from its own reader of that file (reader.ts).
 *
 * On disk, in the server's state directory: `state.json` (the epoch: ids of another index are
 * recognised), `channels` (one JSON name a line, its line number the channel's number), segments
 * `seg-<first entry>` of one entry a line (`<channel> <lines> <bytes> <start|=> <end>`, base 36; `=`:
 * the end of the channel's entry before, in the same segment) and `ends.json`, every channel's last end as of the newest segment's
 * start. An entry is written (write(2), no fsync: it survives the process, not the machine) before
 * any client sees it. When the segments pass the byte bound, the oldest are deleted: ids inside
 * them get a gap, then the oldest entry kept.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export interface Entry {
  channel: number;
  lines: number;
  bytes: number;
  /** The file id the entry's lines follow ('start': the file's first byte). */
  start: string;
  end: string;
  /** Bytes of all entries up to and including this one since the index began (for lag). */
  total: number;
}

interface Segment {
  first: number;
  file: string;
  bytes: number;
  /** Channels with an entry in the segment: only their next entries may write `=` for their start. */
  channels: Set<number>;
}

const SEGMENTS = 8;
const segName = (first: number): string => `seg-${first.toString(36).padStart(11, '0')}`;

/** The complete lines of a file a crash may have left half-written; the partial tail is cut off. */
function readLines(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) {
    const fd = openSync(file, 'r+');
    ftruncateSync(fd, Buffer.byteLength(text.slice(0, end)));
    closeSync(fd);
  }
  return text.slice(0, end).split('\n').slice(0, -1);
}

export class MergeLog {
  readonly epoch: string;
  readonly #dir: string;
  readonly #maxBytes: number;
  #first = 0;
  #entries: Entry[] = [];
  readonly #names: string[] = [];
  readonly #numbers = new Map<string, number>();
  readonly #ends = new Map<number, string>();
  #segments: Segment[] = [];
  #fd: number | undefined;
  #channelsFd: number;
  #total = 0;
  #wake: (() => void) | undefined;
  #changed: Promise<void>;
  #closed = false;

  /** Reads the index back (or starts one) in `dir`; synchronous, once at start-up. */
  constructor(dir: string, maxBytes: number) {
    this.#dir = dir;
    this.#maxBytes = maxBytes;
    this.#changed = new Promise((resolve) => (this.#wake = resolve));
    const stateFile = path.join(dir, 'state.json');
    let epoch: string | undefined;
    try {
      epoch = (JSON.parse(readFileSync(stateFile, 'utf8')) as { epoch?: string }).epoch;
    } catch {
      epoch = undefined;
    }
    if (typeof epoch !== 'string' || !/^[0-9a-z]{1,13}$/.test(epoch)) {
      // A new index: whatever was there cannot be trusted to match it.
      for (const f of readdirSync(dir)) if (f.startsWith('seg-') || f === 'channels' || f === 'ends.json') unlinkSync(path.join(dir, f));
      epoch = BigInt(`0x${randomBytes(8).toString('hex')}`).toString(36).slice(0, 12);
      writeFileSync(`${stateFile}.tmp`, `${JSON.stringify({ epoch })}\n`);
      renameSync(`${stateFile}.tmp`, stateFile);
    }
    this.epoch = epoch;
    for (const line of readLines(path.join(dir, 'channels'))) this.#name(JSON.parse(line) as string);
    this.#channelsFd = openSync(path.join(dir, 'channels'), 'a');
    this.#load();
  }

  #load(): void {
    try {
      const ends = JSON.parse(readFileSync(path.join(this.#dir, 'ends.json'), 'utf8')) as Record<string, string>;
      for (const [ch, end] of Object.entries(ends)) this.#ends.set(Number(ch), end);
    } catch {
      // No segment was ever closed.
    }
    const files = readdirSync(this.#dir).filter((f) => /^seg-[0-9a-z]{11}$/.test(f)).sort();
    this.#first = files.length > 0 ? parseInt(files[0]!.slice(4), 36) : 0;
    for (const f of files) {
      const file = path.join(this.#dir, f);
      const first = parseInt(f.slice(4), 36);
      // A segment that does not follow on from the one before would misnumber every entry after it.
      if (first !== this.end) break;
      const channels = new Set<number>();
      for (const line of readLines(file)) {
        const [ch, lines, bytes, start, end] = line.split(' ');
        const channel = parseInt(ch!, 36);
        channels.add(channel);
        this.#push(channel, parseInt(lines!, 36), parseInt(bytes!, 36), start === '=' ? this.#ends.get(channel)! : start!, end!);
      }
      this.#segments.push({ first, file, bytes: statSync(file).size, channels });
    }
    const last = this.#segments.at(-1);
    if (last) this.#fd = openSync(last.file, 'a');
    else this.#startSegment();
  }

  get first(): number {
    return this.#first;
  }

  /** The sequence number the next entry gets. */
  get end(): number {
    return this.#first + this.#entries.length;
  }

  /** Bytes of every entry since the index began. */
  get total(): number {
    return this.#total;
  }

  at(seq: number): Entry | undefined {
    return seq >= this.#first ? this.#entries[seq - this.#first] : undefined;
  }

  channelName(channel: number): string {
    return this.#names[channel]!;
  }

  /** Where a channel's head reader resumes: after its last entry (undefined: a channel new to the index). */
  lastEnd(name: string): string | undefined {
    const n = this.#numbers.get(name);
    return n === undefined ? undefined : this.#ends.get(n);
  }

  /** Resolves at the next append (or close). */
  changed(): Promise<void> {
    return this.#changed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Appends an entry: on disk first, then for the clients. */
  append(name: string, lines: number, bytes: number, end: string): void {
    if (this.#closed) return;
    const channel = this.#numbers.get(name) ?? this.#newChannel(name);
    const start = this.#ends.get(channel) ?? 'start';
    const seg = this.#segments.at(-1)!;
    // `=` only after an entry of the channel in this segment: each segment reads back on its own.
    const text = `${channel.toString(36)} ${lines.toString(36)} ${bytes.toString(36)} ${seg.channels.has(channel) ? '=' : start} ${end}\n`;
    writeSync(this.#fd!, text);
    seg.channels.add(channel);
    seg.bytes += text.length;
    this.#push(channel, lines, bytes, start, end);
    if (seg.bytes >= this.#maxBytes / SEGMENTS) this.#roll();
    const wake = this.#wake!;
    this.#changed = new Promise((resolve) => (this.#wake = resolve));
    wake();
  }

  #push(channel: number, lines: number, bytes: number, start: string, end: string): void {
    this.#total += bytes;
    this.#entries.push({ channel, lines, bytes, start, end, total: this.#total });
    this.#ends.set(channel, end);
  }

  #name(name: string): number {
    const n = this.#names.push(name) - 1;
    this.#numbers.set(name, n);
    return n;
  }

  #newChannel(name: string): number {
    writeSync(this.#channelsFd, `${JSON.stringify(name)}\n`);
    return this.#name(name);
  }

  /** A new segment; the channels' ends as of now, so that older segments can go; then the oldest go. */
  #roll(): void {
    const endsFile = path.join(this.#dir, 'ends.json');
    writeFileSync(`${endsFile}.tmp`, JSON.stringify(Object.fromEntries(this.#ends)));
    renameSync(`${endsFile}.tmp`, endsFile);
    this.#startSegment();
    let bytes = this.#segments.reduce((sum, s) => sum + s.bytes, 0);
    while (bytes > this.#maxBytes && this.#segments.length > 1) {
      const old = this.#segments.shift()!;
      unlinkSync(old.file);
      bytes -= old.bytes;
      const dropped = this.#segments[0]!.first - this.#first;
      this.#entries.splice(0, dropped);
      this.#first += dropped;
    }
  }

  #startSegment(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    const file = path.join(this.#dir, segName(this.end));
    this.#fd = openSync(file, 'a');
    this.#segments.push({ first: this.end, file, bytes: 0, channels: new Set() });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#fd !== undefined) closeSync(this.#fd);
    closeSync(this.#channelsFd);
    this.#wake!();
  }
}
