/**
 * Where the last `n` complete lines start, found by reading backwards from the end: starting on a
 * 5 GB file costs what its tail costs, not a scan of the file.
 */
import type { Generation } from './generation.js';

const BLOCK = 64 * 1024;

export async function tailStart(gen: Generation, size: number, lines: number): Promise<number> {
  // The newline that ends the last complete line counts as the first; we want the one before the
  // first wanted line, i.e. the (lines + 1)-th from the end.
  let wanted = lines + 1;
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - BLOCK);
    const buf = await gen.read(start, end - start);
    for (let i = buf.length - 1; i >= 0; i--) {
      if (buf[i] === 0x0a && --wanted === 0) return start + i + 1;
    }
    end = start;
  }
  return 0;
}

/** True when `offset` is at the start of a line (the byte before it is a newline). */
export async function atLineStart(gen: Generation, offset: number): Promise<boolean> {
  if (offset === 0) return true;
  const buf = await gen.read(offset - 1, 1);
  return buf.length === 1 && buf[0] === 0x0a;
}
