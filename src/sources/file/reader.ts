/**
 * A reader is one subscriber's cursor into the followed file: a generation and a byte offset,
 * always at the start of a line. It reads `[offset, size)` only when asked, so a subscriber that
 * does not ask (a slow socket) costs no memory however far behind it falls; resuming is the same
 * operation as following live.
 *
 * Right after a rotation the reader goes on in the new file while it keeps a cursor in each
 * rotated file still being drained (see drain.ts): their late lines are delivered as they come,
 * each file's lines in order, and every id says where the reader is in all of them.
 */
import { idAround, MAX_POSITIONS } from './cursor.js';
import type { LineBatch, ReaderOptions, StartAt } from './batch.js';
import type { Follower } from './follower.js';
import { refreshSize, successor } from './rotated.js';
import { endTrack, resumeTracks, startTrack, type Gap, type Track } from './resume.js';
import { readTrack, type TrackContext } from './track-reader.js';
import { tailStart } from './tail.js';

export type { Gap } from './resume.js';

export type { LineBatch, ReaderOptions, StartAt } from './batch.js';

const DEFAULT_READ_SIZE = 256 * 1024;
const EMPTY = Buffer.alloc(0);
const noop = (): void => undefined;

export class LineReader {
  readonly #follower: Follower;
  readonly #startAt: StartAt;
  readonly #maxLineBytes: number;
  readonly #readSize: number;
  /** Oldest first: rotated files still drained, then the file the reader is in (the last). */
  #tracks: Track[] = [];
  /** Gaps to report before the next lines, with the track each resumes in. */
  readonly #gaps: { gap: Gap; track: Track }[] = [];
  #begun = false;
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

  /** Whether it has found where to start (and so knows its lag). */
  get begun(): boolean {
    return this.#begun;
  }

  /**
   * At the end of the one file it reads, the one at the path, with nothing held or to report: its
   * next() would only wait for the file to change. A reader opened after its resume id then is
   * where this one is (see merge/head.ts, which closes such readers to hold less memory).
   */
  get atRest(): boolean {
    if (!this.#begun || this.#closed || this.#gaps.length > 0 || this.#tracks.length !== 1) return false;
    const t = this.#tracks[0]!;
    return t.gen === this.#follower.current && t.gen.next === undefined && t.epoch === t.gen.epoch && t.offset >= t.gen.size && t.held === undefined && !t.wantWholeLine;
  }

  /** Bytes between this reader and the head of the files it reads. */
  get lag(): number {
    let lag = 0;
    for (const t of this.#tracks) lag += Math.max(0, t.gen.size - t.offset);
    return lag;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#tracks) endTrack(t);
    this.#wake?.();
  }

  /**
   * An id to resume after that gives exactly the lines this reader has yet to deliver; before the
   * first batch, its starting point. Undefined while the file does not exist (the reader will start
   * at the first byte of the file that appears), and never waits for it to.
   */
  async resumeId(): Promise<string | undefined> {
    if (!this.#begun && (!this.#follower.current || !(await this.#begin()))) return undefined;
    const last = this.#tracks.length - 1;
    const { prefix, suffix } = this.#idAround(last);
    return prefix + this.#tracks[last]!.offset.toString(36) + suffix;
  }

  /** The next lines once at least one is complete; undefined once closed. */
  async next(): Promise<LineBatch | undefined> {
    if (!this.#begun && !(await this.#begin())) return undefined;
    for (;;) {
      if (this.#closed || this.#follower.closed) return undefined;
      // Taken before looking, so a change while we look still ends the wait below.
      const changed = this.#follower.changed();
      const pending = this.#gaps.shift();
      if (pending) return this.#gapBatch(pending.gap, pending.track);
      let progressed = false;
      for (let i = 0; i < this.#tracks.length && !progressed; i++) {
        const track = this.#tracks[i]!;
        const batch = await readTrack(track, this.#context(i));
        if (batch || this.#closed) return batch;
        if (this.#gaps.length > 0) progressed = true;
        else if (i < this.#tracks.length - 1 && track.gen.final && track.offset >= track.gen.size) {
          // A rotated file read to its end and no longer written: done with it.
          this.#tracks.splice(i, 1);
          endTrack(track);
          progressed = true;
        }
      }
      if (progressed) continue;
      const last = this.#tracks[this.#tracks.length - 1]!;
      // A rotated file still written may end inside a line: its writer may yet finish it.
      const atEnd = last.offset >= last.gen.size || (last.gen.next !== undefined && !last.gen.final);
      if (atEnd && (await this.#moveOn(last))) continue;
      // Waiting, so no longer behind: its files' descriptors may be closed (see idle-files.ts).
      for (const t of this.#tracks) t.gen.touch();
      await this.#until(changed);
    }
  }

  async #begin(): Promise<boolean> {
    while (!this.#follower.current) {
      if (this.#closed || this.#follower.closed) return false;
      await this.#until(this.#follower.changed());
    }
    if (this.#closed) return false;
    const current = this.#follower.current;
    const start = this.#startAt;
    let tracks: Track[];
    const gaps: Gap[] = [];
    if (this.#fileWasMissing || start.kind === 'start') tracks = [startTrack(current, 0)];
    else if (start.kind === 'after') tracks = await resumeTracks(this.#follower, start.cursor, gaps);
    // New lines only: from the end of the last complete line, so a line being written counts as new.
    else tracks = [startTrack(current, await tailStart(current, current.size, start.kind === 'tail' ? start.lines : 0))];
    if (this.#closed || this.#begun) {
      for (const t of tracks) endTrack(t);
      return !this.#closed;
    }
    this.#tracks = tracks;
    for (const gap of gaps) this.#gaps.push({ gap, track: tracks[tracks.length - 1]! });
    this.#begun = true;
    return true;
  }

  /**
   * At the end of the file the reader is in: once it is no longer written, on to the next newer
   * file; while a rotated file may still grow, on to the next too, keeping a cursor in it. False
   * when there is nowhere to go yet.
   */
  async #moveOn(last: Track): Promise<boolean> {
    const gen = last.gen;
    if (gen.final) {
      refreshSize(gen);
      if (gen.size > last.offset) return true;
    } else if (!gen.next) {
      return false;
    }
    const { next, missing } = await successor(this.#follower, gen);
    if (!next || this.#closed || this.#tracks[this.#tracks.length - 1] !== last) return false;
    const track = startTrack(next, 0);
    if (gen.final) {
      this.#tracks[this.#tracks.length - 1] = track;
      endTrack(last);
    } else {
      this.#tracks.push(track);
      // Ids hold a bounded number of positions; drained files beyond that are the least likely to grow.
      while (this.#tracks.length > MAX_POSITIONS) endTrack(this.#tracks.shift()!);
    }
    if (missing > 0) this.#gaps.push({ gap: { reason: 'rotated file gone', bytes: null }, track });
    return true;
  }

  #context(index: number): TrackContext {
    return {
      follower: this.#follower,
      maxLineBytes: this.#maxLineBytes,
      readSize: this.#readSize,
      closed: () => this.#closed,
      restart: (t) => this.#restart(t),
      lost: (t) => this.#lost(t),
      batch: (base, buf, release, single) => this.#batch(index, base, buf, release, single),
    };
  }

  /** Back to the start of a truncated file; bytes no reader had read are reported as a gap. */
  #restart(t: Track): boolean {
    const lost = t.gen.sizeBeforeTruncation - t.offset;
    t.epoch = t.gen.epoch;
    t.offset = 0;
    t.held = undefined;
    t.wantWholeLine = false;
    if (lost <= 0) return false;
    this.#gaps.push({ gap: { reason: 'truncated', bytes: lost }, track: t });
    return true;
  }

  /** The file was closed for good with bytes this reader had not read (see reopen.ts). */
  #lost(t: Track): void {
    this.#gaps.push({ gap: { reason: 'rotated file gone', bytes: t.gen.size - t.offset }, track: t });
    t.offset = t.gen.size;
    t.held = undefined;
  }

  #idAround(index: number): { prefix: string; suffix: string } {
    const positions = this.#tracks.map((t) => ({ dev: t.gen.dev, ino: t.gen.ino, fp: t.gen.fingerprint(), offset: t.offset }));
    return idAround(positions, index);
  }

  #batch(index: number, base: number, buf: Buffer, release: () => void, single?: LineBatch['single']): LineBatch {
    const { prefix, suffix } = this.#idAround(index);
    return { idPrefix: prefix, idSuffix: suffix, file: this.#follower.name, base, buf, single, release };
  }

  #gapBatch(gap: Gap, track: Track): LineBatch {
    this.#follower.gaps++;
    const index = Math.max(0, this.#tracks.indexOf(track));
    const at = this.#tracks[index]!;
    return { ...this.#batch(index, at.offset, EMPTY, noop), gap: { ...gap, file: this.#follower.name } };
  }

  /**
   * Not `Promise.race` with a promise that settles at close: every race would leave a reaction on
   * that long-lived promise, and a reader at the live edge waits once per append, for days.
   */
  #until(changed: Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      void changed.then(resolve);
    });
  }
}
