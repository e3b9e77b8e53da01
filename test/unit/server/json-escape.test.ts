import { describe, expect, it } from 'vitest';
import type { LineBatch } from '../../../src/sources/batch.js';
import { recordJson } from '../../../src/wire/record.js';
import { encodeBatch } from '../../../src/server/encode.js';
import { memory } from '../../../src/server/json-escape.js';
import { batchOfLines, referenceRecords } from '../../helpers/records.js';

/**
 * The escaping module (src/wasm/escape.wat) works 16 bytes a step, with loads and stores that run
 * past the ends of its input and output: these cases aim at its block boundaries, its last partial
 * block and the memory it grows, holding every record to the definition (`recordJson`).
 */

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/** Each byte the module treats apart: escapes (quote, backslash, controls, whitespace ones), colon, space, non-ASCII. */
const hostile = [bytes('"'), bytes('\\'), bytes('\x01'), bytes('\t'), bytes('\x1f'), bytes('\b'), bytes('\x0b'), bytes('\x7f'), utf8('\u00e9'), bytes(':'), bytes(' ')];

function expectRecords(lines: readonly Buffer[], maxLineBytes = 1 << 21): void {
  const got = encodeBatch(batchOfLines(lines), { encoding: 'ndjson', maxLineBytes }).payload.toString();
  const want = referenceRecords(lines, 0, maxLineBytes);
  if (got === want) return;
  const g = got.split('\n');
  const w = want.split('\n');
  const i = w.findIndex((x, k) => x !== g[k]);
  expect(g[i], `line ${i}: ${JSON.stringify(lines[i]?.toString('latin1').slice(0, 200))}`).toBe(w[i]);
}

/** `length` filler bytes with `inserts` placed at their positions (later ones win). */
function lineWith(length: number, inserts: [number, Buffer][], filler = 0x61): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const [pos, b] of [...inserts].sort((x, y) => x[0] - y[0])) {
    if (pos < at) continue;
    parts.push(Buffer.alloc(pos - at, filler), b);
    at = pos + b.length;
  }
  if (at < length) parts.push(Buffer.alloc(length - at, filler));
  return Buffer.concat(parts);
}

describe('escaping in WebAssembly, 16 bytes a step', () => {
  it('gives the definition for every line length 0–80 with each hostile byte at every position', () => {
    const lines: Buffer[] = [Buffer.alloc(0)];
    for (let length = 1; length <= 80; length++) {
      for (let k = 0; k < length; k++) {
        for (const h of hostile) {
          lines.push(lineWith(length, [[k, h]]));
          // With a colon elsewhere: an event whose halves hold the escape, or a line a space spoils.
          if (length > 2) lines.push(lineWith(length, [[(k + 1 + (length >> 1)) % length, bytes(':')], [k, h]]));
        }
      }
    }
    expectRecords(lines);
    // Cut short by the line limit: the line ends inside the input, before bytes that must not count.
    expectRecords(lines, 37);
  });

  it('escapes every control byte as the definition does, and judges the whitespace ones as such', () => {
    const lines: Buffer[] = [];
    for (let b = 0; b <= 0x7f; b++) {
      if (b === 0x0a || (b >= 0x21 && b < 0x7f && b !== 0x22 && b !== 0x5c)) continue;
      // An event unless the byte is whitespace: `s<b>:e`, with the byte at every place of two blocks.
      for (let length = 3; length <= 34; length++) for (const k of [0, length - 1, length >> 1]) lines.push(lineWith(length, [[1, bytes(':')], [k === 1 ? 2 : k, Buffer.from([b])]]));
    }
    expectRecords(lines);
  });

  it('looks at nothing past a line ending exactly where the copied input ends', () => {
    // The bytes after the input in the module's memory are left over from earlier batches: fill
    // them with everything the module reacts to first.
    const junk = bytes('":\\\x01 \t'.repeat(40));
    for (let length = 0; length <= 80; length++) {
      for (const k of [0, length - 1, length - 16, length - 17, 15, 16, 17]) {
        for (const h of [bytes('"'), bytes('\x01'), bytes(':'), bytes('x')]) {
          if (length > 0 && (k < 0 || k >= length)) continue;
          encodeBatch(batchOfLines([junk]), { encoding: 'ndjson', maxLineBytes: 1000 });
          const line = length === 0 ? Buffer.alloc(0) : lineWith(length, [[k, h]], length % 2 === 0 ? 0x61 : 0x7b);
          const single: LineBatch = { idPrefix: '1.a.b.', idSuffix: '', file: 'logs/app.log', base: 5, buf: line, single: { end: 5 + length, truncated: false }, release: () => undefined };
          const got = encodeBatch(single, { encoding: 'ndjson', maxLineBytes: 1000 }).payload.toString();
          expect(got, JSON.stringify(line.toString('latin1'))).toBe(`${recordJson(`1.a.b.${(5 + length).toString(36)}`, 'logs/app.log', line.toString('latin1'), false)}\n`);
        }
      }
    }
  });

  it('gives the definition for hostile bytes at positions 15, 16 and 17 (and 31, 32, 33) together', () => {
    const lines: Buffer[] = [];
    for (const at of [14, 15, 16, 30, 31, 32]) {
      for (const a of hostile) for (const b of hostile) for (const length of [at + 2, at + 3, at + 4, 48]) lines.push(lineWith(length, [[at, a], [at + 1, b], [at + 2, a]]));
    }
    expectRecords(lines);
  });

  it('settles winston-shaped lines whose quotes fall on every block boundary', () => {
    const x = (n: number): string => 'x'.repeat(n);
    const lines: Buffer[] = [];
    for (let s = 0; s <= 34; s++) {
      for (let e = 0; e <= 34; e++) {
        lines.push(bytes(`{"session":"${x(s)}","event":"${x(e)}"}`));
        lines.push(bytes(`{"message":"${x(s)}:${x(e)}"}`));
        lines.push(bytes(`{"${x(s % 9)}":"${x(e)}","message":"s${x(s)}:e","event":"${x(e)}"}`));
        // Near misses of the shape: a member whose gap is not one `:` or `,`, a key alone.
        lines.push(bytes(`{"session":"${x(s)}", "event":"${x(e)}"}`));
        lines.push(bytes(`{"session":"${x(s)}","event"::"${x(e)}"}`));
        lines.push(bytes(`{"session":"${x(s)}","event","${x(e)}"}`));
        lines.push(bytes(`{"message":"${x(s)} :${x(e)}"}`));
      }
    }
    expectRecords(lines);
  });

  it('gives the definition when the batch makes the module grow its memory in the middle', () => {
    const before = memory.bytes.length;
    // Lines of control bytes escape to six bytes each: the records outgrow the memory while the
    // batch (a fifth of it) was copied in without growing it.
    const kinds = [
      bytes(`s-1:${'\x01'.repeat(90)}`),
      bytes('{"level":"info","message":"s-1:impression","session":"s-1","event":"impression","timestamp":"2026-12-01T13:10:21.123Z"}'),
      bytes('s-2:impression {"uid":"u1","path":"/a/b"}'),
      utf8('{"message":"caf\u00e9:cr\u00e8me","a":"\\u0073\\t"}'),
      bytes(`${'\x1f"\\'.repeat(40)}`),
    ];
    const lines: Buffer[] = [];
    for (let size = 0, i = 0; size < before / 5; i++) {
      const line = kinds[i % kinds.length]!;
      lines.push(line);
      size += line.length + 1;
    }
    expectRecords(lines);
    expect(memory.bytes.length).toBeGreaterThan(before);
  });

  it('gives the definition for lines of a megabyte, with more quotes than the positions it keeps', () => {
    const members = (n: number): string => Array.from({ length: n }, (_, i) => `"k${i}":"v${i % 97}"`).join(',');
    const lines = [
      // 1024 members are 4096 quotes, as many as the module keeps; one more member, and it keeps not all.
      bytes(`{${members(1023)},"session":"s-1","event":"e"}`),
      bytes(`{${members(1022)},"session":"s-1","event":"e"}`),
      bytes(`{${members(1024)},"session":"s-1","event":"e"}`),
      bytes(`{${members(80_000)},"session":"s-1","event":"e","message":"m:n"}`),
      bytes(`{${members(80_000)},"message":"m:n"}`),
    ];
    let seed = 3;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const alphabet = [...hostile, bytes('a'), bytes('b'), bytes('{'), bytes('}')];
    const parts: Buffer[] = [bytes('s-1:')];
    for (let size = 0; size < 1 << 20; size += parts.at(-1)!.length) parts.push(alphabet[rand(alphabet.length)]!);
    lines.push(Buffer.concat(parts));
    for (const line of lines.slice(-3)) expect(line.length).toBeGreaterThan(1 << 20);
    expectRecords(lines);
  });
});
