import { describe, expect, it } from 'vitest';
import type { LineBatch } from '../../../src/sources/file/reader.js';
import { parseEventLine, recordJson } from '../../../src/wire/record.js';
import { encodeBatch, encodeShared, type Encoding } from '../../../src/server/encode.js';
import { readRecordFast } from '../../../src/client/record-text.js';
import { type RecordEncoding } from '../../../src/server/record-writer.js';

const hostile = [
  's1:impression', 'plain', ':leading', 'trailing:', 'a:b:c', '', 'quote"inside:x', 'back\\slash:y',
  'tab\there:z', 'ctl\u0001:w', 'caf\u00e9:cr\u00e8me', 'emoji:\u{1F600}', 'sep\u2028:x', '{"session":"j","event":"son"}',
  '{not json:x', 'crlf:line\r', `long:${'x'.repeat(300)}`, 's-1:impression {"uid":"1","path":"/a"}', 's-1:imp"ress\\ion',
];

function batchOf(lines: string[]): LineBatch {
  return { idPrefix: '1.a.b.', idSuffix: '', file: 'logs/app.log', base: 1000, buf: Buffer.from(lines.map((l) => `${l}\n`).join('')), release: () => undefined };
}

function records(encoding: Encoding, payload: string | Buffer): unknown[] {
  const text = payload.toString();
  if (encoding === 'sse') {
    return text.split('\n\n').filter(Boolean).map((event) => {
      const [idLine, dataLine] = event.split('\n');
      const record = JSON.parse(dataLine!.slice('data: '.length)) as { id: string };
      expect(idLine).toBe(`id: ${record.id}`);
      return record;
    });
  }
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Deterministic pseudo-random lines over `alphabet`, mostly short, some past the 100-byte limit. */
function randomLines(alphabet: string[], count: number): string[] {
  let seed = 7;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    let line = '';
    const length = rand(i % 10 === 0 ? 150 : 30);
    // Runs of lines without a colon, then with several, for the colon search carried across lines.
    const pool = i % 200 < 50 ? alphabet.length - 1 : alphabet.length;
    for (let j = 0; j < length; j++) line += alphabet[rand(pool)];
    lines.push(line);
  }
  return lines;
}

// The colon comes last in each alphabet, so leaving it out of the pool leaves colons out.
const plain = ['a', 'Z', '0', ' ', '{', '}', '~', ':'];
const anything = [...plain.slice(0, -1), '"', '\\', '\t', '\u007f', '\u00e9', '\u2028', '\u{1F600}', '\u0001', '\u0000', '\b', '\f', '\u000b', '\u001f', '\u00a0', ':'];
const batches = {
  // Large and clean: lines are copied without a per-byte look.
  plain: [...randomLines(plain, 3000), 'a', ':', 'a:', ':b', 'x::y', '{a:b}', '{}', '{ }'],
  // Quotes and nothing else to escape: the JSON lines among them are judged from their quote positions.
  quotes: [...randomLines([...plain.slice(0, -1), '"', '"', ':'], 600), 'a"b:c', '"x":y', '{"session":"s","event":"e"}', '{"a":1}'],
  // Anything: every line is looked at, and many go the text way.
  mixed: [...hostile.filter((l) => !l.endsWith('\r')), '{}', '{:}', ...randomLines(anything, 400)],
};

describe('record encodings', () => {
  it.each(['ndjson', 'sse', 'ws-ndjson'] as const)('encodes hostile lines as %s records that round-trip', (encoding) => {
    const batch = batchOf(hostile);
    const encoded = encodeBatch(batch, { encoding, maxLineBytes: 100 });
    const expected = hostile.map((raw) => {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const cut = Buffer.byteLength(line) > 100 ? line.slice(0, 100) : line;
      const fields = parseEventLine(cut);
      return { file: 'logs/app.log', line: cut, ...(fields ?? {}), ...(cut !== line ? { truncated: true } : {}) };
    });
    const got = records(encoding, encoded.payload) as Record<string, unknown>[];
    expect(got.map(({ id: _id, ...rest }) => rest)).toEqual(expected);
    expect(encoded).toMatchObject({ sent: hostile.length, truncated: 1 });
    // ASCII batches take the latin1 shortcut to bytes.
    const asciiLines = ['s1:impression', 'quote"x:y', 'tab\tz'];
    const ascii = encodeBatch(batchOf(asciiLines), { encoding, maxLineBytes: 100 });
    expect(records(encoding, ascii.payload).map((r) => (r as { line: string }).line)).toEqual(asciiLines);
    expect(encoded.lastId).toBe((got.at(-1) as { id: string }).id);
    if (encoding === 'ws-ndjson') expect(encoded.payload.toString().endsWith('\n')).toBe(false);
    // A filter that lets everything through must not change a single record.
    expect(records(encoding, encodeBatch(batch, { encoding, maxLineBytes: 100, match: /(?:)/ }).payload)).toEqual(got);
  });

  it('puts a whole batch in one SSE event with sse-batch, carrying the id of its last record', () => {
    const batch = batchOf(hostile);
    const perRecord = records('sse', encodeBatch(batch, { encoding: 'sse', maxLineBytes: 100 }).payload);
    const encoded = encodeBatch(batch, { encoding: 'sse-batch', maxLineBytes: 100 });
    const text = encoded.payload.toString();
    // One event: an id line, one data line per record, one blank line.
    expect(text.indexOf('\n\n')).toBe(text.length - 2);
    const [idLine, ...dataLines] = text.slice(0, -2).split('\n');
    expect(idLine).toBe(`id: ${encoded.lastId}`);
    expect(dataLines.map((l) => JSON.parse(l.slice('data: '.length)))).toEqual(perRecord);
    // Nothing left after the filter: no event at all, not an empty one.
    expect(encodeBatch(batchOf(['a']), { encoding: 'sse-batch', maxLineBytes: 100, match: /b/ }).payload.length).toBe(0);
    const inverted = encodeBatch(batchOf(['s:a', 's:b']), { encoding: 'sse-batch', maxLineBytes: 100, match: /a/, invert: true });
    expect(inverted.payload.toString()).toMatch(/^id: \S+\ndata: \{[^\n]*"line":"s:b"[^\n]*\}\n\n$/);
  });

  it('gives each record the id of the offset after its line, and session/event as the format says', () => {
    const { payload } = encodeBatch(batchOf(['s1:impression', 'x']), { encoding: 'ndjson', maxLineBytes: 100 });
    expect(records('ndjson', payload)).toEqual([
      { id: `1.a.b.${(1000 + 14).toString(36)}`, file: 'logs/app.log', line: 's1:impression', session: 's1', event: 'impression' },
      { id: `1.a.b.${(1000 + 16).toString(36)}`, file: 'logs/app.log', line: 'x' },
    ]);
  });

  it('replaces invalid UTF-8 in records and passes raw bytes through in text', () => {
    const batch: LineBatch = { idPrefix: '1.a.b.', idSuffix: '', file: 'logs/app.log', base: 0, buf: Buffer.from([0x61, 0xff, 0x0a]), release: () => undefined };
    expect(records('ndjson', encodeBatch(batch, { encoding: 'ndjson', maxLineBytes: 100 }).payload)).toEqual([{ id: '1.a.b.3', file: 'logs/app.log', line: 'a\ufffd' }]);
    expect(encodeBatch(batch, { encoding: 'text', maxLineBytes: 100 }).payload).toEqual(Buffer.from([0x61, 0xff, 0x0a]));
    // A WebSocket text frame must be UTF-8, whether the lines went the fast way or were filtered.
    expect(encodeBatch(batch, { encoding: 'ws-text', maxLineBytes: 100 }).payload.toString()).toBe('a\ufffd');
    expect(encodeBatch(batch, { encoding: 'ws-text', maxLineBytes: 100, match: /a/ }).payload.toString()).toBe('a\ufffd');
  });
});

describe('records written as bytes', () => {
  /** The records as the text definition spells them, framed by hand. */
  function reference(encoding: RecordEncoding, lines: string[], base: number, maxLineBytes: number, file: string): string {
    let offset = base;
    const framed = lines.map((line) => {
      offset += Buffer.byteLength(line) + 1;
      const cut = Buffer.from(line).subarray(0, maxLineBytes).toString();
      const id = `1.a.b.${offset.toString(36)}`;
      const json = recordJson(id, file, cut.endsWith('\r') ? cut.slice(0, -1) : cut, Buffer.byteLength(line) > maxLineBytes);
      return encoding === 'sse' ? `id: ${id}\ndata: ${json}\n\n` : encoding === 'sse-batch' ? `data: ${json}\n` : json;
    });
    if (encoding === 'ndjson') return framed.map((r) => `${r}\n`).join('');
    if (encoding === 'ws-ndjson') return framed.join('\n');
    if (encoding === 'sse-batch') return `id: 1.a.b.${offset.toString(36)}\n${framed.join('')}\n`;
    return framed.join('');
  }

  it.each(['ndjson', 'sse', 'sse-batch', 'ws-ndjson'] as const)('gives exactly the text definition for every kind of line as %s', (encoding) => {
    const base = 36 ** 7 - 100;
    // A channel name with something to escape is escaped once per batch, as the definition does per record.
    for (const file of ['logs/app.log', 'logs/"odd"\\caf\u00e9\u0001.log']) {
      for (const lines of Object.values(batches)) {
        const batch: LineBatch = { idPrefix: '1.a.b.', idSuffix: '', file, base, buf: Buffer.from(lines.map((l) => `${l}\n`).join('')), release: () => undefined };
        expect(encodeBatch(batch, { encoding, maxLineBytes: 100 }).payload.toString()).toBe(reference(encoding, lines, base, 100, file));
      }
    }
  });
});

describe('records far larger than their lines', () => {
  it('makes room for lines that escape to several times their size, and for large JSON fields', () => {
    const big = 'x'.repeat(300_000);
    const lines = [
      '\u0001"'.repeat(150_000),
      `{"session":"${big}","event":"${big}","q":"${'"'.repeat(0)}"}`,
      `${big}:"${big}`,
    ];
    for (const set of [lines, [lines[1]!, lines[1]!], [lines[2]!]]) {
      const batch: LineBatch = { idPrefix: '1.a.b.', idSuffix: '', file: 'logs/app.log', base: 0, buf: Buffer.from(set.map((l) => `${l}\n`).join('')), release: () => undefined };
      let offset = 0;
      const want = set.map((l) => `${recordJson(`1.a.b.${(offset += l.length + 1).toString(36)}`, 'logs/app.log', l, false)}\n`).join('');
      expect(encodeBatch(batch, { encoding: 'ndjson', maxLineBytes: 1_000_000 }).payload.toString() === want).toBe(true);
    }
  });
});

describe('one encoding per shared batch', () => {
  it('encodes a batch once per distinct request and hands the same bytes to every client asking alike', () => {
    const shared = { ...batchOf(['s:a', 's:b']), memo: new Map<string, unknown>() };
    const first = encodeShared(shared, { encoding: 'ndjson', maxLineBytes: 100 });
    expect(encodeShared({ ...shared }, { encoding: 'ndjson', maxLineBytes: 100 })).toBe(first);
    expect(first).toEqual(encodeBatch(batchOf(['s:a', 's:b']), { encoding: 'ndjson', maxLineBytes: 100 }));
    // Anything that changes the result is a different entry.
    const filtered = encodeShared(shared, { encoding: 'ndjson', maxLineBytes: 100, match: /a/ });
    expect(records('ndjson', filtered.payload)).toHaveLength(1);
    expect(records('ndjson', encodeShared(shared, { encoding: 'ndjson', maxLineBytes: 100, match: /a/, invert: true }).payload)).toEqual([
      expect.objectContaining({ line: 's:b' }),
    ]);
    expect(records('ndjson', encodeShared(shared, { encoding: 'ndjson', maxLineBytes: 100, match: /A/i }).payload)).toHaveLength(1);
    expect(records('ndjson', encodeShared(shared, { encoding: 'ndjson', maxLineBytes: 100, match: /A/ }).payload)).toHaveLength(0);
    expect(encodeShared(shared, { encoding: 'text', maxLineBytes: 100 }).payload.toString()).toBe('s:a\ns:b\n');
    expect(encodeShared(shared, { encoding: 'text', maxLineBytes: 2 }).truncated).toBe(2);
    // A private batch (a reused read buffer) is never remembered.
    const own = batchOf(['s:a']);
    expect(encodeShared(own, { encoding: 'ndjson', maxLineBytes: 100 })).not.toBe(encodeShared(own, { encoding: 'ndjson', maxLineBytes: 100 }));
  });
});

describe('reading records without JSON.parse (the listener\'s fast path)', () => {
  it('gives exactly what JSON.parse gives, or nothing, for every hostile line', () => {
    const lines = encodeBatch(batchOf(hostile), { encoding: 'ndjson', maxLineBytes: 100 }).payload.toString().trimEnd().split('\n');
    let fast = 0;
    for (const text of lines) {
      const record = readRecordFast(text);
      if (record === undefined) continue;
      fast++;
      expect(record).toStrictEqual(JSON.parse(text));
    }
    // Every record the server writes takes the fast path, escapes or not.
    expect(fast).toBe(lines.length);
  });

  it('reads records of random lines with escapes exactly as JSON.parse does', () => {
    const lines = batches.mixed;
    const texts = encodeBatch(batchOf(lines), { encoding: 'ndjson', maxLineBytes: 100 }).payload.toString().trimEnd().split('\n');
    for (const text of texts) expect(readRecordFast(text), text).toStrictEqual(JSON.parse(text));
    // Escapes JSON allows but the server never writes, in every field.
    for (const escaped of ['a\\u0041\\/b', '\\ud83d\\ude00', '\\\\', '\\\\\\"', 'x\\"y\\"', '\\b\\f\\n\\r\\t', '\\ud800']) {
      const text = `{"id":"1","line":"${escaped}","session":"${escaped}","event":"${escaped}","truncated":true}`;
      expect(readRecordFast(text), text).toStrictEqual(JSON.parse(text));
      // Ids never hold escapes: such a record may be left to JSON.parse, never misread.
      const odd = `{"id":"${escaped}","line":"x"}`;
      expect([undefined, JSON.parse(odd)], odd).toContainEqual(readRecordFast(odd));
    }
  });

  it('reads the file of every record, and records of servers that send none', () => {
    for (const file of ['logs/app.log', 'C:\\logs\\x.log', 'we"ird.log', 'caf\u00e9.log', 'a\u0001.log']) {
      const batch = { ...batchOf(['s:1', 'plain line']), file };
      const texts = encodeBatch(batch, { encoding: 'ndjson', maxLineBytes: 100 }).payload.toString().trimEnd().split('\n');
      for (const text of texts) {
        const fast = readRecordFast(text);
        // Names with nothing to escape stay on the fast path; others may be left to JSON.parse, never misread.
        if (!/["\\\u0000-\u001f]/.test(file)) expect(fast, text).toStrictEqual(JSON.parse(text));
        else expect([undefined, JSON.parse(text)], text).toContainEqual(fast);
        expect((JSON.parse(text) as { file: string }).file).toBe(file);
      }
    }
    expect(readRecordFast('{"id":"1","line":"s:e","session":"s","event":"e"}')).toStrictEqual({ id: '1', line: 's:e', session: 's', event: 'e' });
    expect(readRecordFast('{"id":"1","file":"f","line":"x","truncated":true}')).toStrictEqual({ id: '1', file: 'f', line: 'x', truncated: true });
  });

  it('declines anything not shaped exactly like our records, and anything JSON.parse refuses', () => {
    for (const text of [
      '{"line":"x","id":"1"}',
      '{"id":"1","line":"x","extra":1}',
      '{"id":"1","line":"x","session":"s"}',
      '{"id":"1","line":"x","event":"e","session":"s"}',
      '{"id":"1","line":"x"} ',
      '{"id":"1","line":"x"',
      '{"id":"1","line":"x\\"}',
      '{"id":"1","line":"a\tb"}',
      '{"id":"1","line":"a\\"\tb"}',
      '{"id":"1","line":"a\\qb"}',
      '{"id":"1","line":"a\\u12"}',
      '{"id":"1","line":"a"b"}',
      '{"id":"1","line":"x","truncated":false}',
      '{"id":"1","file":"f"}',
      '{"id":"1","file":"f","line":"x","file":"g"}',
      '{"id":"1","line":"x","file":"f"}',
      '{"id":"1","file":"f\tg","line":"x"}',
    ]) {
      expect(readRecordFast(text), text).toBeUndefined();
    }
  });
});
