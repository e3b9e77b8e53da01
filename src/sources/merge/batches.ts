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
