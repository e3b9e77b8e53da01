import { describe, expect, it } from 'vitest';
import type { LineBatch } from '../../../src/sources/file/reader.js';
import { encodeBatch, MATCH_PREFIX_BYTES } from '../../../src/server/encode.js';
import { compileLinear } from '../../../src/server/safe-regex.js';

function batchOf(lines: string[]): LineBatch {
  return { idPrefix: '1.a.b.', idSuffix: '', file: 'logs/app.log', base: 0, buf: Buffer.from(lines.map((l) => `${l}\n`).join('')), release: () => undefined };
}

const linesOf = (payload: Buffer): string[] => payload.toString().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { line: string }).line);

describe('server-side filtering in the encoder', () => {
  it('tests the first 16 KB of a long line, and sends the whole line', () => {
    const pad = 'x'.repeat(MATCH_PREFIX_BYTES);
    const batch = batchOf([`needle ${pad}`, `${pad} needle`, 'needle']);
    // A loaded machine may end the 4 ms slice early: take every slice.
    const got: string[] = [];
    for (let from = 0; from < batch.buf.length; ) {
      const part = encodeBatch(batch, { encoding: 'ndjson', maxLineBytes: 1 << 20, match: compileLinear('needle', false) }, false, from);
      got.push(...linesOf(part.payload));
      from = part.end;
    }
    expect(got).toEqual([`needle ${pad}`, 'needle']);
  });

  it('stops a slow filter part-way and resumes where it stopped, losing and repeating nothing', () => {
    // Each long line backtracks past the limit and finishes on the linear engine, well over 0.1 ms
    // a line: 300 of them take far longer than one 4 ms slice, on any machine.
    const pattern = compileLinear('(a+)+$', false);
    const lines = Array.from({ length: 300 }, (_, i) => (i % 10 === 0 ? `${i}aaa` : `${'a'.repeat(2000)}b${i}`));
    const batch = batchOf(lines);
    const got: string[] = [];
    let slices = 0;
    for (let from = 0; from < batch.buf.length; slices++) {
      const part = encodeBatch(batch, { encoding: 'ndjson', maxLineBytes: 1 << 20, match: pattern }, false, from);
      got.push(...linesOf(part.payload));
      expect(part.end).toBeGreaterThan(from);
      from = part.end;
    }
    expect(got).toEqual(lines.filter((l) => l.endsWith('aaa')));
    expect(slices).toBeGreaterThan(1);
  });
});
