import { appendFile } from 'node:fs/promises';
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
