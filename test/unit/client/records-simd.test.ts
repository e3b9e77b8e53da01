import { describe, expect, it } from 'vitest';
import { LineBatches } from '../../../src/client/lines.js';
import { printedLines } from '../../../src/client/printed-lines.js';
import { LineSink, readLines } from '../../../src/client/record-bytes.js';
import { expectedLines, print, printedAs, type Printed } from '../../helpers/printed.js';

/**
 * The records' lines are unescaped 16 bytes at a time (src/wasm/records.wat): these cases aim at
 * what such code gets wrong, block boundaries, the bytes past the end of the input, memory that
 * grows, and hold it to JSON.parse, the definition.
 */

/** Reads `records` wholly from the bytes (none may be left to the text way): the lines and the last id. */
function byBytes(records: Buffer): { text: string; lastId: string } {
  const sink = new LineSink();
  sink.reserve(records.length);
  expect(readLines(records, 0, Infinity, sink)).toBe(records.length);
  return { text: sink.buf.toString('latin1', 0, sink.length), lastId: sink.id!.toString('utf8', sink.idStart, sink.idEnd) };
}

/** The definition's answer for one record: its line as printed, or undefined when JSON.parse refuses it. */
function definition(record: Buffer): string | undefined {
  try {
    const value = JSON.parse(record.toString()) as { id?: unknown; line?: unknown };
    return typeof value?.id === 'string' && typeof value.line === 'string' ? printedAs(value.line) : undefined;
  } catch {
    return undefined;
  }
}

function expectAsDefinition(printed: Printed, record: Buffer): void {
  const want = definition(record);
  if (want === undefined) {
    expect(printed.error, record.toString('latin1')).toBeDefined();
    expect(printed.text).toBe('');
  } else {
    expect(printed.error, record.toString('latin1')).toBeUndefined();
    expect(printed.text, record.toString('latin1')).toBe(want);
  }
}

/** A character of a line, and how a record may hold it: escaped as the server does, as JSON allows, or as itself. */
const CHARS: readonly [string, string][] = [
  ['"', '\\"'], ['\\', '\\\\'], ['\n', '\\n'], ['\t', '\\t'], ['\b', '\\b'], ['\f', '\\f'], ['\r', '\\r'],
  ['\u0000', '\\u0000'], ['\u001f', '\\u001f'], ['/', '\\/'], ['/', '/'], ['A', '\\u0041'], ['\u007f', '\\u007f'],
  ['\u0080', '\\u0080'], ['\u07ff', '\\u07FF'], ['\u0800', '\\u0800'], ['\uffff', '\\uffff'], ['\u20ac', '\\u20Ac'],
  ['\u00e9', '\u00e9'], ['\u20ac', '\u20ac'], ['\u{1F600}', '\u{1F600}'], [' ', ' '], ['\u007f', '\u007f'], ['\u2028', '\\u2028'],
];

/** The record endings the server writes: its line alone, with a file, with session and event, truncated. */
function record(id: string, line: string, shape: number): string {
  const file = shape & 1 ? ',"file":"logs/a\\"b.log"' : '';
  const fields = shape & 2 ? ',"session":"s-\\"1","event":"e\\u0041"' : '';
  return `{"id":"${id}"${file},"line":"${line}"${fields}${shape & 4 ? ',"truncated":true' : ''}}`;
}

describe('unescaping record lines 16 bytes at a time', () => {
  it('reads every line of 0 to 80 bytes with an escape at every position', () => {
    for (const [char, held] of CHARS) {
      let records = '';
      let want = '';
      let n = 0;
      for (let length = 0; length <= 80; length++) {
        for (let at = 0; at <= length; at++) {
          const before = 'x'.repeat(at);
          const after = 'y'.repeat(length - at);
          records += `${record(`i${n}`, `${before}${held}${after}`, n % 8)}\n`;
          want += printedAs(`${before}${char}${after}`);
          n++;
        }
      }
      const got = byBytes(Buffer.from(records));
      expect(got.text, held).toBe(want);
      expect(got.lastId).toBe(`i${n - 1}`);
    }
  });

  it('reads a record that ends exactly where the input does, whatever lies past it', () => {
    for (const [char, held] of CHARS) {
      for (let length = 0; length <= 40; length++) {
        for (let shape = 0; shape < 8; shape++) {
          const line = `${'z'.repeat(length)}${held}`;
          const one = Buffer.from(record('last', line, shape));
          expect(byBytes(one).text).toBe(printedAs(`${'z'.repeat(length)}${char}`));
        }
      }
    }
  });

  it('stops at a record cut short, at every byte, even where the bytes past the cut are the record\'s own', () => {
    const whole = Buffer.from(['a\\"b\\\\c\\u00e9d', 'x'.repeat(20) + '\\"'.repeat(10), 'q\\/\\u0800'].map((l, i) => record(`r${i}`, l, i * 3)).join('\n'));
    // From the longest cut down: what lies past each cut in the module's memory is the rest of the record.
    for (let cut = whole.length; cut >= 0; cut--) {
      const chunk = Buffer.from(whole.subarray(0, cut));
      const pieces = chunk.toString('latin1').split('\n');
      let stop = 0;
      let want = '';
      for (const piece of pieces) {
        const line = definition(Buffer.from(piece, 'latin1'));
        if (line === undefined) break;
        want += line;
        stop += piece.length + 1;
      }
      const sink = new LineSink();
      sink.reserve(chunk.length);
      expect(readLines(chunk, 0, Infinity, sink), `cut at ${cut}`).toBe(Math.min(stop, chunk.length));
      expect(sink.buf.toString('latin1', 0, sink.length), `cut at ${cut}`).toBe(want);
    }
  });

  it('prints what JSON.parse finds when hostile bytes sit around the block boundaries', async () => {
    const hostile = ['\u0000', '\u0001', '\u001f', ' ', '"', '\\x', '\\', '\\u12', '\\u12g4', '\\ud800', '\\udc00', '\\ud83d\\ude00', '\\uD83D\\uDE00x', '\u007f'];
    const raw = [[0xff], [0xc3], [0xe2, 0x82], [0xc3, 0xa9]];
    for (const at of [0, 1, 14, 15, 16, 17, 30, 31, 32, 33, 47, 48]) {
      for (const bytes of [...hostile.map((h) => Buffer.from(h)), ...raw.map((r) => Buffer.from(r))]) {
        for (const shape of [0, 2, 7]) {
          const [head, tail] = record('h', `${'p'.repeat(at)}\u0007${'q'.repeat(40)}`, shape).split('\u0007');
          const one = Buffer.concat([Buffer.from(head!), bytes, Buffer.from(tail!)]);
          expectAsDefinition(await print(Buffer.concat([one, Buffer.from('\n')])), one);
        }
      }
    }
  });

  it('tells the id JSON.parse reads, an escaped one too, as the last record read', async () => {
    for (const id of ['plain-1', 'a\\u0041b', 'q\\"', 'x'.repeat(15), 'y'.repeat(16), 'z'.repeat(17), 's\\/', 'caf\u00e9']) {
      const chunk = Buffer.from(`${record('first', 'one', 0)}\n${record(id, 'two', 2)}\n`);
      const printed = await print(chunk);
      expect(printed.text).toBe(printedAs('one\ntwo'));
      expect(printed.lastIds.at(-1), id).toBe((JSON.parse(chunk.toString().split('\n')[1]!) as { id: string }).id);
    }
  });

  it('reads 1 MB lines, of plain bytes, of escapes only, and of both at random', () => {
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor((seed / 2 ** 31) * n));
    const mixed = Array.from({ length: 1 << 20 }, () => (rand(5) === 0 ? CHARS[rand(CHARS.length)]! : ['k', 'k'] as const));
    const lines: [string, string][] = [
      ['m'.repeat(1 << 20), 'm'.repeat(1 << 20)],
      ['"'.repeat(1 << 20), '\\"'.repeat(1 << 20)],
      [mixed.map(([c]) => c).join(''), mixed.map(([, h]) => h).join('')],
    ];
    const records = lines.map(([, held], i) => record(`big${i}`, held, i)).join('\n');
    const got = byBytes(Buffer.from(records));
    expect(got.text === lines.map(([line]) => printedAs(line)).join('')).toBe(true);
    expect(got.lastId).toBe('big2');
  });

  it('reads records split across chunks anywhere, through the line batching the transports use', async () => {
    let seed = 13;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor((seed / 2 ** 31) * n));
    const lines = Array.from({ length: 2000 }, (_, i) => Array.from({ length: rand(i === 1000 ? 300_000 : 60) }, () => CHARS[rand(CHARS.length)]!));
    const records = Buffer.from(lines.map((l, i) => `${record(`c${i}`, l.map(([, h]) => h).join(''), i % 8)}\n`).join(''));
    const batches = new LineBatches(8 << 20);
    const chunks: Buffer[] = [];
    batches.on('data', (chunk: Buffer) => chunks.push(chunk));
    for (let at = 0; at < records.length;) {
      const size = 1 + rand(rand(2) === 0 ? 40 : 70_000);
      batches.write(records.subarray(at, at + size));
      at += size;
    }
    batches.end();
    const sink = new LineSink();
    let text = '';
    for (const chunk of chunks) {
      const printed = await print(chunk, Infinity, undefined, sink);
      expect(printed.error).toBeUndefined();
      text += printed.text;
    }
    expect(text === expectedLines(records)).toBe(true);
  });

  it('leaves nothing behind of a chunk it failed on: the lines read before the refused record come once, after the reconnect', async () => {
    const good = Buffer.from(`${record('k0', 'first', 0)}\n${record('k1', 'second \\"2\\"', 2)}\n`);
    const broken = Buffer.concat([good, Buffer.from('{"id":"k2","line":"cut\n')]);
    const sink = new LineSink();
    const failed = await print(broken, Infinity, undefined, sink);
    expect(failed.error).toBeDefined();
    expect(failed.text).toBe('');
    // The reconnect asks for what follows the last id told, and the same records come again.
    expect(await print(good, Infinity, undefined, sink)).toEqual({ text: printedAs('first\nsecond "2"'), count: 2, lastIds: ['k1'] });
  });

  it('reads a chunk on after another stream grew the memory in the middle of it', async () => {
    const gap = '{"id":"g","gap":{"reason":"rotated","bytes":null}}';
    const small = Buffer.from([record('a0', 'one \\"1\\"', 2), gap, record('a1', 'two \\u00e9', 0), record('a2', 'three', 4)].join('\n'));
    const huge = Buffer.from(`${record('b0', '\\"x'.repeat(3 << 20), 0)}\n${record('b1', 'after', 2)}\n`);
    let other: Printed | undefined;
    let text = '';
    const lastIds: string[] = [];
    const gen = printedLines(small, new LineSink(), { max: Infinity }, async () => {
      // The first chunk is half read, its bytes in the module's memory: another reader takes it.
      other = await print(huge);
      text += '<gap>\n';
    });
    for await (const lines of gen) {
      text += lines.bytes.toString('latin1');
      lastIds.push(lines.lastId);
    }
    expect(text).toBe(printedAs('one "1"\n<gap>\ntwo \u00e9\nthree'));
    expect(lastIds).toEqual(['a0', 'a2']);
    expect(other!.text === expectedLines(huge)).toBe(true);
    expect(other!.lastIds).toEqual(['b1']);
  });
});
