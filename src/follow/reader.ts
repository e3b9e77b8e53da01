/**
 * A reader is one subscriber's cursor into the followed file: a generation and a byte offset,
 * always at the start of a line. It reads `[offset, size)` only when asked, so a subscriber that
 * does not ask (a slow socket) costs no memory however far behind it falls; resuming is the same
 * operation as following live.
 */
import type { Cursor } from '../cursor.js';
import type { Follower } from './follower.js';
import type { Generation } from './generation.js';
import { lease } from '../buffer-pool.js';
import { atLineStart, tailStart } from './tail.js';

export type StartAt =
  | { kind: 'new' }
  | { kind: 'tail'; lines: number }
  | { kind: 'start' }
  | { kind: 'after'; cursor: Cursor };

/** Lines read in one go, handed to a transport as one write. */
export interface LineBatch {
  /** Cursor id prefix of the generation the bytes come from. */
  idPrefix: string;
  /** File offset of `buf[0]`. */
  base: number;
  /** Whole lines, each ending in `\n`, unless `single` is set. */
  buf: Buffer;
  /**
   * `buf` is one line without its `\n`, ending at file offset `end`: the head of a line longer
   * than the limit (`truncated`), or the unterminated tail of a file that was rotated away.
   */
  single?: { end: number; truncated: boolean };
  /**
   * Set when the batch is a shared read that every reader at this position gets alike: work derived
   * from the batch alone can be kept here for them (see SharedChunk).
   */
  memo?: Map<string, unknown>;
  /**
   * Hands `buf`'s memory back for the next read (see buffer-pool.ts). Call it once nothing refers to
   * `buf` any more (after encoding, or once a socket has flushed it); never calling it is safe.
   */
  release(): void;
}

export interface ReaderOptions {
  maxLineBytes: number;
  /** Bytes per read when lines are short; a longer line is read up to its limit in one go. */
  readSize?: number;
}

const DEFAULT_READ_SIZE = 256 * 1024;
const noop = (): void => undefined;

export class LineReader {
  readonly #follower: Follower;
  readonly #startAt: StartAt;
  readonly #maxLineBytes: number;
  readonly #readSize: number;
  #gen: Generation | undefined;
  #epoch = 0;
  #offset = 0;
  /** The kept head of an over-long line while the rest of it is skipped. */
  #held: Buffer | undefined;
  #closed = false;
  /** Ends the current wait early, at close. */
  #wake: (() => void) | undefined;
  /** A file that appears after we subscribed is new from its first byte. */
  readonly #fileWasMissing: boolean;

  constructor(follower: Follower, startAt: StartAt, options: ReaderOptions) {
    this.#follower = follower;
    this.#startAt = startAt;
    this.#maxLineBytes = options.maxLineBytes;
    this.#readSize = Math.max(1, options.readSize ?? DEFAULT_READ_SIZE);
    this.#fileWasMissing = follower.current === undefined;
  }

  /** Bytes between this reader and the head of its generation. */
  get lag(): number {
    return this.#gen ? Math.max(0, this.#gen.size - this.#offset) : 0;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#gen?.release();
    this.#wake?.();
  }

  /**
   * An id to resume after that gives exactly the lines this reader has yet to deliver; before the
   * first batch, its starting point. Undefined while the file does not exist (the reader will start
   * at the first byte of the file that appears), and never waits for it to.
   */
  async resumeId(): Promise<string | undefined> {
    if (!this.#gen && (!this.#follower.current || !(await this.#begin()))) return undefined;
    return this.#gen!.idPrefix + this.#offset.toString(36);
  }

  /** The next lines once at least one is complete; undefined once closed. */
  async next(): Promise<LineBatch | undefined> {
    if (!this.#gen && !(await this.#begin())) return undefined;
    let wantWholeLine = false;
    for (;;) {
      if (this.#closed || this.#follower.closed) return undefined;
      const gen = this.#gen!;
      if (gen.epoch !== this.#epoch) this.#restart(gen);
      const available = gen.size - this.#offset;
      if (available <= 0) {
        if (gen.next && this.#held) {
          // A rotated file that ended inside an over-long line: deliver its head before moving on.
          const head = this.#held;
          this.#held = undefined;
          return { idPrefix: gen.idPrefix, base: this.#offset, buf: head, single: { end: this.#offset, truncated: true }, release: noop };
        }
        if (gen.next) this.#hop(gen.next);
        else await this.#changed();
        continue;
      }
      const base = this.#offset;
      const length = Math.min(available, wantWholeLine ? this.#maxLineBytes + 1 : this.#readSize);
      let chunk: Buffer;
      let memo: Map<string, unknown> | undefined;
      let release = noop;
      if (base + length >= gen.size) {
        ({ buf: chunk, memo } = await this.#follower.cache.read(gen, base, length));
      } else {
        const leased = lease(length);
        chunk = await gen.read(base, length, leased.buf);
        release = leased.release;
      }
      if (this.#closed || gen.epoch !== this.#epoch || this.#offset !== base) continue;
      if (chunk.length < length) {
        // Shorter than its last known size: a truncation the follower has yet to see.
        this.#follower.poke();
        await this.#changed();
        continue;
      }

      if (this.#held) {
        const newline = chunk.indexOf(0x0a);
        if (newline === -1) {
          this.#offset += chunk.length;
          release();
          continue;
        }
        this.#offset += newline + 1;
        const head = this.#held;
        this.#held = undefined;
        release();
        return { idPrefix: gen.idPrefix, base, buf: head, single: { end: this.#offset, truncated: true }, release: noop };
      }

      const last = chunk.lastIndexOf(0x0a);
      if (last !== -1) {
        this.#offset += last + 1;
        return { idPrefix: gen.idPrefix, base, buf: last + 1 === chunk.length ? chunk : chunk.subarray(0, last + 1), release, memo };
      }
      if (gen.next && chunk.length === available && chunk.length <= this.#maxLineBytes) {
        // The last line of a rotated file will never get its newline; deliver it as it is.
        this.#offset += chunk.length;
        return { idPrefix: gen.idPrefix, base, buf: chunk, single: { end: this.#offset, truncated: false }, release };
      }
      release();
      if (chunk.length > this.#maxLineBytes) {
        // Keep only the head (copied, so the large chunk can be freed) and skip to the newline.
        this.#held = Buffer.from(chunk.subarray(0, this.#maxLineBytes));
        this.#offset += chunk.length;
        wantWholeLine = false;
        continue;
      }
      if (chunk.length < available) {
        wantWholeLine = true;
        continue;
      }
      // An incomplete line at the end: hold it until its newline arrives.
      if (gen.size === base + chunk.length && !gen.next) await this.#changed();
    }
  }

  async #begin(): Promise<boolean> {
    while (!this.#follower.current) {
      if (this.#closed || this.#follower.closed) return false;
      await this.#changed();
    }
    if (this.#closed) return false;
    const current = this.#follower.current;
    let gen = current;
    let offset = 0;
    const start = this.#startAt;
    if (this.#fileWasMissing || start.kind === 'start') {
      offset = 0;
    } else if (start.kind === 'after') {
      const found = this.#follower.find(start.cursor);
      // An id of another file, beyond the end or not at a line start is stale: whole current file.
      if (found && !found.isClosed && start.cursor.offset <= found.size && (await atLineStart(found, start.cursor.offset))) {
        gen = found;
        offset = start.cursor.offset;
      }
    } else {
      offset = await tailStart(current, current.size, start.kind === 'tail' ? start.lines : 0);
    }
    if (this.#closed) return false;
    this.#gen = gen.acquire();
    this.#epoch = gen.epoch;
    this.#offset = offset;
    return true;
  }

  #restart(gen: Generation): void {
    this.#epoch = gen.epoch;
    this.#offset = 0;
    this.#held = undefined;
  }

  #hop(next: Generation): void {
    const previous = this.#gen!;
    this.#gen = next.acquire();
    previous.release();
    this.#restart(next);
  }

  /**
   * Not `Promise.race` with a promise that settles at close: every race would leave a reaction on
   * that long-lived promise, and a reader at the live edge waits once per append, for days.
   */
  #changed(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      void this.#follower.changed().then(resolve);
    });
  }
}
