/**
 * Reading one file for a reader: whole lines from a track's offset up to the size the follower
 * knows, a line longer than the limit cut to its head, the unterminated last line of a finished
 * file as it is. The byte before the offset must still be the newline that ended the line before;
 * if not, the file was truncated and written again past the reader before anyone saw it shrink.
 */
import { lease } from '../../buffer-pool.js';
import type { LineBatch } from './batch.js';
import type { Follower } from './follower.js';
import type { Track } from './resume.js';

export interface TrackContext {
  follower: Follower;
  maxLineBytes: number;
  readSize: number;
  /** The reader was closed meanwhile. */
  closed(): boolean;
  /** Back to the start of a truncated file; true when a gap was queued (it goes out first). */
  restart(t: Track): boolean;
  /** Past the unread rest of a file closed for good, with a gap queued. */
  lost(t: Track): void;
  /** A batch of this track's bytes from file offset `base`, with the reader's ids. */
  batch(base: number, buf: Buffer, release: () => void, single?: LineBatch['single']): LineBatch;
}

const noop = (): void => undefined;

/** The next lines of one file, if it holds a complete one now; never waits. */
export async function readTrack(t: Track, ctx: TrackContext): Promise<LineBatch | undefined> {
  for (;;) {
    const gen = t.gen;
    // The gap, if any, goes out before the lines after it.
    if (gen.epoch !== t.epoch && ctx.restart(t)) return undefined;
    if (gen.isClosed && gen.size > t.offset) return void ctx.lost(t);
    const available = gen.size - t.offset;
    if (available <= 0) {
      if (!gen.final || !t.held) return undefined;
      // A finished file that ended inside an over-long line: deliver its head before moving on.
      const head = t.held;
      t.held = undefined;
      return ctx.batch(t.offset, head, noop, { end: t.offset, truncated: true });
    }
    const base = t.offset;
    // One byte more, before the offset: it must still be the newline that ended the line before.
    // If not, the file was truncated and written again past us before anyone saw it shrink.
    const check = base > 0 && !t.held ? 1 : 0;
    const length = Math.min(available, t.wantWholeLine ? ctx.maxLineBytes + 1 : ctx.readSize);
    let raw: Buffer;
    let memo: Map<string, unknown> | undefined;
    let release = noop;
    if (base + length >= gen.size) {
      ({ buf: raw, memo } = await ctx.follower.cache.read(gen, base - check, length + check));
    } else {
      const leased = lease(length + check);
      raw = await gen.read(base - check, length + check, leased.buf);
      release = leased.release;
    }
    if (ctx.closed()) return undefined;
    if (gen.epoch !== t.epoch || t.offset !== base || t.gen !== gen) continue;
    if (raw.length < length + check) {
      // Shorter than its last known size: a truncation the follower has yet to see.
      release();
      ctx.follower.poke();
      return undefined;
    }
    if (check && raw[0] !== 0x0a) {
      release();
      ctx.follower.truncatedUnderReader(gen, t.epoch);
      if (gen.epoch === t.epoch) return undefined;
      continue;
    }
    const chunk = check ? raw.subarray(1) : raw;

    if (t.held) {
      const newline = chunk.indexOf(0x0a);
      release();
      if (newline === -1) {
        t.offset += chunk.length;
        continue;
      }
      t.offset += newline + 1;
      const head = t.held;
      t.held = undefined;
      return ctx.batch(base, head, noop, { end: t.offset, truncated: true });
    }

    const last = chunk.lastIndexOf(0x0a);
    if (last !== -1) {
      t.offset += last + 1;
      t.wantWholeLine = false;
      const batch = ctx.batch(base, last + 1 === chunk.length ? chunk : chunk.subarray(0, last + 1), release);
      batch.memo = memo;
      return batch;
    }
    if (gen.final && chunk.length === available && chunk.length <= ctx.maxLineBytes) {
      // The last line of a finished file will never get its newline; deliver it as it is.
      t.offset += chunk.length;
      return ctx.batch(base, chunk, release, { end: t.offset, truncated: false });
    }
    release();
    if (chunk.length > ctx.maxLineBytes) {
      // Keep only the head (copied, so the large chunk can be freed) and skip to the newline.
      t.held = Buffer.from(chunk.subarray(0, ctx.maxLineBytes));
      t.offset += chunk.length;
      t.wantWholeLine = false;
      continue;
    }
    if (chunk.length < available) {
      t.wantWholeLine = true;
      continue;
    }
    // An incomplete line at the end: held until its newline arrives.
    return undefined;
  }
}
