/** Arithmetic on a file reader's batches, in the reader's own units (bytes of the file). */
import type { LineBatch } from '../source.js';

const noop = (): void => undefined;

/** What a batch of a file reader moves its position by, in the reader's own units (bytes). */
export function consumed(batch: LineBatch): number {
  return batch.single ? batch.single.end - batch.base : batch.buf.length;
}

export function countLines(batch: LineBatch): number {
  if (batch.single) return 1;
  let n = 0;
  for (let i = batch.buf.indexOf(0x0a); i !== -1; i = batch.buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** The first `n` bytes of a batch (rounded to whole lines) and what follows, as batches. */
export function split(batch: LineBatch, n: number): [LineBatch, LineBatch | undefined] {
  if (batch.single || batch.gap || n >= batch.buf.length) return [batch, undefined];
  let cut = batch.buf.lastIndexOf(0x0a, n - 1) + 1;
  if (cut === 0) cut = batch.buf.indexOf(0x0a) + 1;
  if (cut >= batch.buf.length) return [batch, undefined];
  // Both halves share the memory: neither may hand it back to the pool.
  return [
    { ...batch, buf: batch.buf.subarray(0, cut), memo: undefined, release: noop },
    { ...batch, base: batch.base + cut, buf: batch.buf.subarray(cut), memo: undefined, release: noop },
  ];
}

/**
 * Passes over the first `skip` bytes of a batch, rounded down to a line start: an id made by hand
 * may point inside a line, and resuming at that line's start keeps the ids that follow the ones
 * the server gives. What is left to deliver, the bytes still to pass over, and how far before
 * `skip` the line starts.
 */
export function passOver(batch: LineBatch, skip: number): { rest: LineBatch | undefined; skip: number; back: number } {
  const [over, rest] = split(batch, skip);
  const n = consumed(over);
  if (n > skip) return { rest: batch, skip: 0, back: skip };
  if (rest) return { rest, skip: 0, back: skip - n };
  return { rest: undefined, skip: skip - n, back: 0 };
}
