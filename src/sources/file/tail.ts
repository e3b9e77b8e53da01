/**
 * Where the last `n` complete lines start, found by reading backwards from the end: starting on a
 * 5 GB file costs what its tail costs, not a scan of the file. The scan reads through the
 * threadpool in bounded slices and lets the event loop run between them, so every other client
 * goes on while it runs, however many lines are asked for and however sparse the file (a hole
 * reads as zeros; Node cannot seek past it, so all-zero slices grow the next slice instead).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Generation } from './generation.js';

/**
 * The first slice: enough for the last lines of most logs. The readers of a merged stream start on
 * every file at once, and 10,000 of them must not each take 64 KB.
 */
const FIRST_SLICE = 4 * 1024;
const SLICE = 64 * 1024;
const MAX_SLICE = 8 * 1024 * 1024;

export async function tailStart(gen: Generation, size: number, lines: number): Promise<number> {
  // The newline that ends the last complete line counts as the first; we want the one before the
  // first wanted line, i.e. the (lines + 1)-th from the end.
  let wanted = lines + 1;
  let end = size;
  let slice = FIRST_SLICE;
  let buf = Buffer.allocUnsafe(slice);
  while (end > 0) {
    const start = Math.max(0, end - slice);
    // The first slice in place (page cache, a few KB: cheaper than a threadpool trip, and every
    // reader of a merged stream starts with one), the rest through the threadpool.
    const bytes = slice === FIRST_SLICE ? await gen.read(start, end - start, buf) : await gen.readAsync(start, buf.subarray(0, end - start));
    for (let i = bytes.lastIndexOf(0x0a); i !== -1; i = i > 0 ? bytes.lastIndexOf(0x0a, i - 1) : -1) {
      if (--wanted === 0) return start + i + 1;
    }
    if (slice < SLICE || (slice < MAX_SLICE && isZero(bytes))) {
      slice *= 2;
      buf = Buffer.allocUnsafe(slice);
    }
    end = start;
    await yieldToLoop();
  }
  return 0;
}

function isZero(bytes: Buffer): boolean {
  // Every byte equals the one before it, and the first is zero: one native comparison.
  return bytes.length > 0 && bytes[0] === 0 && bytes.subarray(1).equals(bytes.subarray(0, bytes.length - 1));
}

/** True when `offset` is at the start of a line (the byte before it is a newline). */
export async function atLineStart(gen: Generation, offset: number): Promise<boolean> {
  if (offset === 0) return true;
  const buf = await gen.read(offset - 1, 1);
  return buf.length === 1 && buf[0] === 0x0a;
}
