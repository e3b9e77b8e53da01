import { describe, expect, it } from 'vitest';
import type { LineBatch } from '../../../src/sources/file/reader.js';
import { referenceRecords as reference } from '../../helpers/records.js';
import { encodeBatch } from '../../../src/server/encode.js';

/**
 * The byte path reads session and event of JSON object lines without JSON.parse; on every line,
 * however hostile, its record must be the definition's (`recordJson`) byte for byte.
 */

let seed = 1;
const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor((seed / 2 ** 31) * n));
const pick = <T>(items: readonly T[]): T => items[rand(items.length)]!;

/** Plain entries repeated so that most lines are ones the scan settles; the rest stress it. */
const plainKeys = ['session', 'event', 'message', 'level', 'msg', 'time', 'hostname'];
const keys = [...plainKeys, ...plainKeys, 'sess\\u0069on', 'ev\\u0065nt', 'm\\u0065ssage', 'ev\\"ent', '', 'se ssion', 'caf\u00e9', 'session\\n'];
const plainStrings = ['s-1', 'impression', 's-1:impression', 's-1:imp ression', ':x', 'x:', 'a:b:c', '', 'session', 'caf\u00e9:cr\u00e8me'];
const strings = [
  ...plainStrings, ...plainStrings, ...plainStrings, 'tab\\there:x', 'q\\"uote:x', 'sep\u2028:x', 'nb\u00a0sp:x', '\\u0073:x', 'emoji\u{1F600}:y',
  '{"session":"in","event":"string"}', '{\\"session\\":\\"in\\",\\"event\\":\\"string\\"}', 'x\\",\\"session\\":\\"in', 'back\\\\slash:z', 'slash\\/:a', 'bad\\q:x', 'bad\\u12g:x', 'raw\u0001:x', 'raw\ttab:x',
];
const spaces = ['', '', '', ' ', '\t', '  ', '\r'];

function jsonValue(depth: number): string {
  switch (rand(depth > 2 ? 5 : 8)) {
    case 0: case 1: case 2: return `"${pick(strings)}"`;
    case 3: return pick(['0', '-1', '1.5', '2e10', '-0.0E-3', '123456789012345678901234567890']);
    case 4: return pick(['true', 'false', 'null']);
    case 5: case 6: return jsonObject(depth + 1);
    default: return `[${Array.from({ length: rand(3) }, () => jsonValue(depth + 1)).join(`,${pick(spaces)}`)}]`;
  }
}

function jsonObject(depth: number): string {
  const members = Array.from({ length: rand(6) }, () => `${pick(spaces)}"${pick(keys)}"${pick(spaces)}:${pick(spaces)}${jsonValue(depth)}${pick(spaces)}`);
  return `{${members.join(',')}${members.length ? '' : pick(spaces)}}`;
}

/** Breaks a line the way real garbage does: cut, a byte dropped, a stray byte, junk after it, a byte replaced. */
function mutate(line: Buffer): Buffer {
  const at = rand(line.length + 1);
  switch (rand(10)) {
    case 0: return line.subarray(0, at);
    case 1: return Buffer.concat([line.subarray(0, at), line.subarray(at + 1)]);
    case 2: return Buffer.concat([line.subarray(0, at), Buffer.from([pick([0x22, 0x5c, 0x7d, 0x5d, 0x2c, 0x3a, 0x01, 0x09, 0x1f, 0x7f, 0xff, 0xc3, 0x30, 0x20])]), line.subarray(at)]);
    case 3: return Buffer.concat([line, Buffer.from(pick(['x', ' ', '}', ',{}', '\t', ' "a"']))]);
    case 4: return Buffer.concat([line.subarray(0, at), Buffer.from([pick([0x3a, 0x2c, 0x7b, 0x7d, 0x5d, 0x78, 0x30, 0x20, 0x22])]), line.subarray(at + 1)]);
    default: return line;
  }
}

/**
 * String members only and no space, as winston writes them: a shape read from its quotes alone, so
 * some with a wrong byte where a `:`, `,` or the `}` goes, or a key without its value.
 */
function flatObject(keyChoices: readonly string[], valueChoices: readonly string[]): string {
  const odd = <T>(usual: T, others: T[]): T => (rand(8) === 0 ? pick(others) : usual);
  const member = (): string => `"${pick(keyChoices)}"${odd(`:"${pick(valueChoices)}"`, [',"x"', '{"x"', '}"x"', 'x"x"', '::"x"', '""', ''])}`;
  return `{${Array.from({ length: rand(7) }, member).join(odd(',', [':', '}', ']', '0', ',,', '']))}${odd('}', [']', ':', ',', 'x', '}}', ''])}`;
}

function lineOf(): Buffer {
  // Mostly objects shaped like winston's, pino's and bunyan's, with the keys that matter in any order.
  const members = [`"level":30`, `"session":${jsonValue(2)}`, `"event":${jsonValue(2)}`, `"message":${jsonValue(2)}`, `"${pick(keys)}":${jsonValue(1)}`, `"${pick(keys)}":${jsonValue(2)}`];
  for (let i = members.length - 1; i > 0; i--) {
    const j = rand(i + 1);
    [members[i], members[j]] = [members[j]!, members[i]!];
  }
  const shape = rand(6);
  const line = shape < 2 ? jsonObject(0) : shape === 2 ? flatObject(keys, strings) : `{${members.slice(rand(3)).join(',')}}`;
  return mutate(Buffer.from(line));
}

describe('session and event of JSON lines without JSON.parse', () => {
  it('gives exactly the definition on random hostile JSON lines', () => {
    seed = 42;
    for (let round = 0; round < 60; round++) {
      const lines = Array.from({ length: 200 }, lineOf).filter((l) => !l.includes(0x0a));
      // Some batches all ASCII (decoded as latin1), and cuts at every kind of place.
      // ASCII with nothing escaped but quotes: JSON lines are judged from their quote positions.
      const quotesOnly = (l: Buffer): boolean => l.every((b) => b >= 0x20 && b < 0x80 && b !== 0x5c);
      let batchLines = round % 3 === 0 ? lines.filter((l) => l.every((b) => b < 0x80)) : lines;
      if (round % 3 === 1) {
        batchLines = lines.filter(quotesOnly);
        // Big enough for the batch to be searched natively.
        while (batchLines.reduce((n, l) => n + l.length + 1, 0) < 8192) batchLines.push(...Array.from({ length: 100 }, lineOf).filter(quotesOnly));
      }
      const maxLineBytes = round % 2 === 0 ? 64 * 1024 : 40 + rand(120);
      const batch: LineBatch = { idPrefix: '1.a.b.', idSuffix: '', file: 'logs/app.log', base: 0, buf: Buffer.concat(batchLines.flatMap((l) => [l, Buffer.from('\n')])), release: () => undefined };
      const got = encodeBatch(batch, { encoding: 'ndjson', maxLineBytes }).payload.toString();
      const want = reference(batchLines, 0, maxLineBytes);
      if (got !== want) {
        const g = got.split('\n');
        const w = want.split('\n');
        const i = w.findIndex((x, k) => x !== g[k]);
        expect(g[i], `line ${i}: ${batchLines[i]?.toString()}`).toBe(w[i]);
      }
    }
  });

  it('gives exactly the definition on winston-shaped lines and near misses of that shape', () => {
    seed = 7;
    const quotesOnly = (text: string): boolean => /^[\x20-\x5b\x5d-\x7e]*$/.test(text);
    const lines = Array.from({ length: 4000 }, () => Buffer.from(flatObject(plainKeys, plainStrings.filter(quotesOnly))));
    for (const maxLineBytes of [64 * 1024, 60]) {
      const batch: LineBatch = { idPrefix: '1.a.b.', idSuffix: '', file: 'logs/app.log', base: 0, buf: Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])), release: () => undefined };
      const got = encodeBatch(batch, { encoding: 'ndjson', maxLineBytes }).payload.toString().split('\n');
      const want = reference(lines, 0, maxLineBytes).split('\n');
      const i = want.findIndex((x, k) => x !== got[k]);
      if (i !== -1) expect(got[i], `line ${i}: ${lines[i]!.toString()}`).toBe(want[i]);
    }
  });

  it('reads the fields of the common shapes, and of duplicates the last', () => {
    const lines = [
      '{"level":"info","message":"s-1:impression","session":"s-1","event":"impression","timestamp":"2026-12-01T13:10:21.000Z"}',
      '{"level":30,"time":1,"pid":7,"msg":"x","session":"s-2","event":"click"}',
      '{"message":"s-3:view"}', '{"message":"s-3 view:x"}', '{"session":"a","event":"b","session":"c"}',
      '{"session":"a","event":"b","session":1,"message":"m:n"}', '{"a":{"session":"x","event":"y"}}', '{"message":"s:e"} ',
      '{"session":"a","event":"b"}x', '{"session":"a","event":"b"', '{"a":"\\q","session":"a","event":"b"}',
    ];
    // Fields that are no event by the format's rule give way to the message (see the wire tests).
    lines.splice(5, 0, '{"session":"","event":"b","message":"m:n"}', '{"session":"a b","event":"b","x":{}}');
    const batch: LineBatch = { idPrefix: '', idSuffix: '', file: 'logs/app.log', base: 0, buf: Buffer.from(lines.map((l) => `${l}\n`).join('')), release: () => undefined };
    const records = encodeBatch(batch, { encoding: 'ndjson', maxLineBytes: 1000 }).payload.toString().trim().split('\n').map((r) => JSON.parse(r) as Record<string, unknown>);
    expect(records.map((r) => [r.session, r.event])).toEqual([
      ['s-1', 'impression'], ['s-2', 'click'], ['s-3', 'view'], [undefined, undefined], ['c', 'b'], ['m', 'n'], [undefined, undefined], ['m', 'n'], [undefined, undefined],
      ['s', 'e'], ['{"session"', '"a","event":"b"}x'], ['{"session"', '"a","event":"b"'], ['{"a"', '"\\q","session":"a","event":"b"}'],
    ]);
    // The same lines in a batch big enough to be searched natively, without the one with a backslash.
    const many = Array.from({ length: 40 }, () => lines.slice(0, -1)).flat().map((l) => Buffer.from(l));
    const big: LineBatch = { idPrefix: '1.a.b.', idSuffix: '', file: 'logs/app.log', base: 0, buf: Buffer.concat(many.flatMap((l) => [l, Buffer.from('\n')])), release: () => undefined };
    expect(encodeBatch(big, { encoding: 'ndjson', maxLineBytes: 1000 }).payload.toString()).toBe(reference(many, 0, 1000));
  });
});
