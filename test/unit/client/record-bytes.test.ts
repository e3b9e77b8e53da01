import { describe, expect, it } from 'vitest';
import type { LineBatch } from '../../../src/sources/file/reader.js';
import { encodeBatch } from '../../../src/server/encode.js';
import { LineSink, readLines } from '../../../src/client/record-bytes.js';
import { expectedLines as expected, print, printedAs } from '../../helpers/printed.js';

/**
 * The listener prints lines read straight from the record bytes; on every record, however hostile,
 * what it prints must be the `line` JSON.parse finds, and a record JSON.parse refuses must never be
 * printed.
 */

let seed = 1;
const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor((seed / 2 ** 31) * n));
const pick = <T>(items: readonly T[]): T => items[rand(items.length)]!;

const pieces = ['a', 'Z', '0', ' ', ':', '{', '}', '"', '\\', '\t', '\u0001', '\u0000', '\u001f', '\u007f', '\u00e9', '\u2028', '\u{1F600}', '\\"', '"session":"s"', 'session', ',', '\\u0041'];

function randomLine(): string {
  let line = '';
  for (let n = rand(40); n > 0; n--) line += pick(pieces);
  return rand(4) === 0 ? `{"level":"info","message":"${line}","session":"s-1","event":"e"}` : line;
}

/** Records exactly as the server writes them, for lines of every kind. */
function serverRecords(lines: string[], maxLineBytes: number): Buffer {
  // A file name with something to escape, for servers that name the file in every record.
  const batch = { idPrefix: '1.a.b.', idSuffix: '', base: 0, buf: Buffer.from(lines.map((l) => `${l}\n`).join('')), release: () => undefined, file: 'logs/"a"\\b\u00e9.log' } as LineBatch;
  return encodeBatch(batch, { encoding: 'ndjson', maxLineBytes }).payload;
}

/** Escapes JSON allows that the server never writes, and the `file` field of records to come. */
const odd = ['a\\u0041\\/b', '\\ud83d\\ude00', '\\ud800', '\\\\', '\\\\\\"', 'x\\"y', '\\b\\f\\n\\r\\t', '\\u00e9\\u20ac', 'caf\u00e9', '\u2028'];
function oddRecords(): string[] {
  return odd.flatMap((s) => [
    `{"id":"1","line":"${s}"}`,
    `{"id":"2","file":"${s}","line":"${s}","session":"${s}","event":"${s}","truncated":true}`,
    `{"id":"3","line":"${s}","truncated":true}`,
  ]);
}

/** Breaks a record: cut, a byte dropped, a stray byte, junk after it, a byte replaced. */
function mutate(record: Buffer): Buffer {
  const at = rand(record.length + 1);
  switch (rand(8)) {
    case 0: return record.subarray(0, at);
    case 1: return Buffer.concat([record.subarray(0, at), record.subarray(at + 1)]);
    case 2: return Buffer.concat([record.subarray(0, at), Buffer.from([pick([0x22, 0x5c, 0x7d, 0x2c, 0x3a, 0x01, 0x09, 0xff, 0xc3, 0x75, 0x20])]), record.subarray(at)]);
    case 3: return Buffer.concat([record, Buffer.from(pick([' ', '}', ',"x":1}', '\r', 'x']))]);
    case 4: return Buffer.concat([record.subarray(0, at), Buffer.from([pick([0x22, 0x5c, 0x7b, 0x7d, 0x2c, 0x30, 0x66, 0x20])]), record.subarray(at + 1)]);
    default: return record;
  }
}

describe('printing lines from record bytes', () => {
  it('reads every record the server writes, of any line, exactly as JSON.parse reads it', () => {
    seed = 3;
    for (let round = 0; round < 30; round++) {
      const lines = Array.from({ length: 300 }, randomLine);
      const records = serverRecords(lines, round % 2 === 0 ? 64 * 1024 : 30);
      const sink = new LineSink();
      sink.reserve(records.length);
      // Every record takes the byte way: none is left to the text way.
      expect(readLines(records, 0, Infinity, sink)).toBe(records.length);
      expect(sink.count).toBe(lines.length);
      const got = sink.buf.toString('latin1', 0, sink.length);
      const want = expected(records);
      if (got !== want) {
        const g = got.split('\n');
        const i = want.split('\n').findIndex((w, k) => w !== g[k]);
        expect(g[i], `record ${i}`).toBe(want.split('\n')[i]);
      }
      // The last record's id, as a reconnect resumes from it.
      const last = JSON.parse(records.toString().trimEnd().split('\n').at(-1)!) as { id: string };
      expect(sink.id!.toString('utf8', sink.idStart, sink.idEnd)).toBe(last.id);
    }
  });

  it('reads escapes the server never writes, and a file field, as JSON.parse does or leaves them to it', async () => {
    for (const record of oddRecords()) {
      const printed = await print(Buffer.from(`${record}\n`));
      expect(printed.text, record).toBe(printedAs((JSON.parse(record) as { line: string }).line));
    }
    // The escapes that stand for ASCII and for BMP characters are read from the bytes.
    const sink = new LineSink();
    const bytes = Buffer.from(oddRecords().filter((r) => !r.includes('\\ud')).join('\n'));
    sink.reserve(bytes.length);
    expect(readLines(bytes, 0, Infinity, sink)).toBe(bytes.length);
  });

  it('prints exactly what JSON.parse finds in broken and hostile records, and nothing of one it refuses', async () => {
    seed = 11;
    let byBytes = 0;
    let refused = 0;
    for (let round = 0; round < 40; round++) {
      const good = serverRecords(Array.from({ length: 50 }, randomLine), 64 * 1024).toString().trimEnd().split('\n');
      const records = [...good, ...oddRecords()].map((r) => mutate(Buffer.from(r)));
      for (const record of records) {
        // An empty line is no record (it is skipped), and a newline would make two.
        if (record.length === 0 || record.includes(0x0a)) continue;
        let want: string | undefined;
        try {
          const value = JSON.parse(record.toString()) as { id?: unknown; line?: unknown };
          if (typeof value?.id === 'string' && typeof value.line === 'string') want = printedAs(value.line);
        } catch {
          // Refused: the listener must fail on it, having printed nothing of it.
        }
        const printed = await print(Buffer.concat([record, Buffer.from('\n')]));
        if (want === undefined) {
          refused++;
          expect(printed.error, record.toString()).toBeDefined();
          expect(printed.text).toBe('');
        } else {
          expect(printed.error, record.toString()).toBeUndefined();
          expect(printed.text, record.toString()).toBe(want);
        }
        const sink = new LineSink();
        sink.reserve(record.length + 1);
        if (readLines(record, 0, 1, sink) === record.length && sink.count === 1) byBytes++;
      }
    }
    // Most records stay readable from the bytes, and many are broken: the test sees both.
    expect(byBytes).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(300);
  });

  it('keeps the lines a filter keeps, given each as JSON.parse reads it, and tells the last record read', async () => {
    seed = 5;
    const lines = Array.from({ length: 400 }, randomLine);
    const chunk = serverRecords(lines, 64 * 1024);
    const parsed = chunk.toString().trimEnd().split('\n').map((r) => JSON.parse(r) as { id: string; line: string });
    const seen: string[] = [];
    const keep = (line: string): boolean => (seen.push(line), /["\\\u00e9]/.test(line));
    const printed = await print(chunk, Infinity, keep);
    expect(seen).toEqual(parsed.map((r) => r.line));
    expect(printed.text).toBe(parsed.filter((r) => keep(r.line)).map((r) => printedAs(r.line)).join(''));
    expect(printed.lastIds.at(-1)).toBe(parsed.at(-1)!.id);
    // Nothing kept: no line, yet the records read are told, to be committed.
    expect(await print(chunk, Infinity, () => false)).toEqual({ text: '', count: 0, lastIds: [parsed.at(-1)!.id] });
    // The count is of lines kept: reading stops at the last one.
    const rare = (line: string): boolean => line.startsWith('Z');
    const third = parsed.filter((r) => rare(r.line))[2]!;
    expect(parsed.indexOf(third)).toBeGreaterThan(3);
    expect((await print(chunk, 3, rare)).lastIds.at(-1)).toBe(third.id);
  });

  it('stops at the count, tells gaps in their place, and takes invalid UTF-8 the text way', async () => {
    const records = serverRecords(['s:1', 'two', 'caf\u00e9'], 100).toString().trimEnd().split('\n');
    const gap = '{"id":"g","file":"f","gap":{"reason":"rotated","bytes":null}}';
    const chunk = Buffer.from([records[0], records[1], gap, records[2]].join('\n'));
    expect(await print(chunk)).toEqual({ text: printedAs('s:1\ntwo\n<gap g>\ncafé'), count: 3, lastIds: [JSON.parse(records[1]!).id, JSON.parse(records[2]!).id] });
    expect((await print(chunk, 1)).text).toBe('s:1\n');
    expect((await print(chunk, 2)).text).toBe('s:1\ntwo\n');
    // A byte that is not UTF-8 (the server never sends one) reads as U+FFFD, as the text way has it.
    const invalid = Buffer.concat([Buffer.from('{"id":"1","line":"a'), Buffer.from([0xff]), Buffer.from('"}\n')]);
    expect((await print(invalid)).text).toBe(printedAs('a\ufffd'));
    // A record with a line is a line, whatever else it carries (as JSON.parse reads it).
    expect((await print(Buffer.from('{"id":"1-a","file":"f","line":"a","gap":{"reason":"x"}}\n'))).text).toBe(printedAs('a'));
  });
});
