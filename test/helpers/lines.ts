import { appendFile, readFile } from 'node:fs/promises';
import { expect } from 'vitest';

/** `n` numbered lines, `seq:<i>` from `from`, each `\n`-ended. */
export function numbered(from: number, n: number, prefix = 'seq'): string {
  let out = '';
  for (let i = from; i < from + n; i++) out += `${prefix}:${i}\n`;
  return out;
}

export function appendLines(file: string, from: number, n: number, prefix = 'seq'): Promise<void> {
  return appendFile(file, numbered(from, n, prefix));
}

/** Asserts the lines are exactly `prefix:0 … prefix:(n-1)` in order: nothing lost, duplicated or split. */
export function expectSequence(lines: string[], n: number, prefix = 'seq'): void {
  const seen = lines.map((l) => {
    const m = new RegExp(`^${prefix}:(\\d+)$`).exec(l);
    if (!m) throw new Error(`not a ${prefix} line: ${JSON.stringify(l)}`);
    return Number(m[1]);
  });
  const firstBad = seen.findIndex((v, i) => v !== i);
  expect(firstBad, `first out-of-sequence index (value ${seen[firstBad]})`).toBe(-1);
  expect(seen.length).toBe(n);
}

/** Numbers of `seq:<n>` lines as they arrive; any other line is kept as it is, as a defect. */
export class SeqList {
  #values = new Float64Array(1 << 16);
  length = 0;
  readonly foreign: string[] = [];

  get values(): Float64Array {
    return this.#values.subarray(0, this.length);
  }

  /** `\n`-ended lines. */
  addLines(buf: Buffer): void {
    let start = 0;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
      const seq = parseSeq(buf, start, nl);
      if (seq === -1) this.foreign.push(buf.toString('utf8', start, nl));
      else this.push(seq);
      start = nl + 1;
    }
  }

  push(seq: number): void {
    if (this.length === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.length++] = seq;
  }
}

const SEQ = Buffer.from('seq:');

/** The number in a `seq:<n>` line in `buf[start, end)`, or -1 for any other line. */
function parseSeq(buf: Buffer, start: number, end: number): number {
  if (end - start < 5 || buf.compare(SEQ, 0, 4, start, start + 4) !== 0) return -1;
  let n = 0;
  for (let i = start + 4; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Asserts every line in `files` (oldest first; `seq:<n>` lines with consecutive numbers, `n` of
 * them when given) came exactly once, none split or foreign, each file's lines in that file's
 * order. Lines of different files may interleave: a rotated file is drained while the new one
 * streams.
 */
export async function expectEachOnce(got: SeqList, n: number | undefined, files: string[]): Promise<void> {
  expect(got.foreign.slice(0, 5), 'split or foreign lines').toEqual([]);
  const onDisk = new SeqList();
  const bounds: number[] = [];
  for (const file of files) {
    onDisk.addLines(await readFile(file));
    bounds.push(onDisk.length);
  }
  if (n !== undefined) expect(onDisk.length, 'lines on disk').toBe(n);
  const first = onDisk.values.reduce((min, seq) => Math.min(min, seq), Infinity);
  const fileOf = new Int32Array(onDisk.length).fill(-1);
  let index = 0;
  for (const [i, seq] of onDisk.values.entries()) {
    while (i >= bounds[index]!) index++;
    fileOf[seq - first] = index;
  }
  const seen = new Uint8Array(onDisk.length);
  const lastIn = new Float64Array(files.length).fill(-1);
  for (const seq of got.values) {
    const at = seq - first;
    if (at < 0 || at >= fileOf.length || fileOf[at] === -1) throw new Error(`not on disk: seq:${seq}`);
    if (seen[at]) throw new Error(`duplicated: seq:${seq}`);
    seen[at] = 1;
    const file = fileOf[at]!;
    if (lastIn[file]! > seq) throw new Error(`out of order in ${files[file]}: seq:${seq} after seq:${lastIn[file]}`);
    lastIn[file] = seq;
  }
  const missing = seen.indexOf(0);
  expect(missing === -1 ? 'none' : `seq:${missing + first} and ${onDisk.length - got.length - 1} more`, 'lost').toBe('none');
}
