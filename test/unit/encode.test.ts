import { describe, expect, it } from 'vitest';
import type { LineBatch } from '../../src/follow/reader.js';
import { parseEventLine } from '../../src/record.js';
import { encodeBatch, type Encoding } from '../../src/server/encode.js';
import { readRecordFast } from '../../src/client/record-text.js';

const hostile = [
  's1:impression', 'plain', ':leading', 'trailing:', 'a:b:c', '', 'quote"inside:x', 'back\\slash:y',
  'tab\there:z', 'ctl\u0001:w', 'caf\u00e9:cr\u00e8me', 'emoji:\u{1F600}', 'sep\u2028:x', '{"session":"j","event":"son"}',
  '{not json:x', 'crlf:line\r', `long:${'x'.repeat(300)}`,
];

function batchOf(lines: string[]): LineBatch {
  return { idPrefix: '1.a.b.', base: 1000, buf: Buffer.from(lines.map((l) => `${l}\n`).join('')), release: () => undefined };
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

describe('record encodings', () => {
  it.each(['ndjson', 'sse', 'ws-ndjson'] as const)('encodes hostile lines as %s records that round-trip', (encoding) => {
    const batch = batchOf(hostile);
    const encoded = encodeBatch(batch, { encoding, maxLineBytes: 100 });
    const expected = hostile.map((raw) => {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const cut = Buffer.byteLength(line) > 100 ? line.slice(0, 100) : line;
      const fields = parseEventLine(cut);
      return { line: cut, ...(fields ?? {}), ...(cut !== line ? { truncated: true } : {}) };
    });
    const got = records(encoding, encoded.payload) as Record<string, unknown>[];
    expect(got.map(({ id: _id, ...rest }) => rest)).toEqual(expected);
    expect(encoded).toMatchObject({ sent: hostile.length, truncated: 1, bytes: Buffer.byteLength(encoded.payload) });
    const ascii = encodeBatch(batchOf(['s1:impression', 'quote"x:y', 'tab\tz']), { encoding, maxLineBytes: 100 });
    expect(ascii.bytes).toBe(Buffer.byteLength(ascii.payload));
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
    expect(encodeBatch(batchOf(['a']), { encoding: 'sse-batch', maxLineBytes: 100, match: /b/ }).payload).toBe('');
    const inverted = encodeBatch(batchOf(['s:a', 's:b']), { encoding: 'sse-batch', maxLineBytes: 100, match: /a/, invert: true });
    expect(inverted.payload.toString()).toMatch(/^id: \S+\ndata: \{[^\n]*"line":"s:b"[^\n]*\}\n\n$/);
  });

  it('gives each record the id of the offset after its line, and session/event as the format says', () => {
    const { payload } = encodeBatch(batchOf(['s1:impression', 'x']), { encoding: 'ndjson', maxLineBytes: 100 });
    expect(records('ndjson', payload)).toEqual([
      { id: `1.a.b.${(1000 + 14).toString(36)}`, line: 's1:impression', session: 's1', event: 'impression' },
      { id: `1.a.b.${(1000 + 16).toString(36)}`, line: 'x' },
    ]);
  });

  it('replaces invalid UTF-8 in records and passes raw bytes through in text', () => {
    const batch: LineBatch = { idPrefix: '1.a.b.', base: 0, buf: Buffer.from([0x61, 0xff, 0x0a]), release: () => undefined };
    expect(records('ndjson', encodeBatch(batch, { encoding: 'ndjson', maxLineBytes: 100 }).payload)).toEqual([{ id: '1.a.b.3', line: 'a\ufffd' }]);
    expect(encodeBatch(batch, { encoding: 'text', maxLineBytes: 100 }).payload).toEqual(Buffer.from([0x61, 0xff, 0x0a]));
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
    // The common shapes take the fast path: plain lines, session:event lines, truncated ones.
    for (const line of ['s1:impression', 'plain', `long:${'x'.repeat(300)}`, ':leading', 'a:b:c']) {
      const text = lines[hostile.indexOf(line)]!;
      expect(readRecordFast(text), line).toStrictEqual(JSON.parse(text));
    }
    expect(fast).toBeGreaterThanOrEqual(8);
  });

  it('declines anything not shaped exactly like our records', () => {
    for (const text of [
      '{"line":"x","id":"1"}',
      '{"id":"1","line":"x","extra":1}',
      '{"id":"1","line":"s:e","session":"t","event":"e"}',
      '{"id":"1","line":"a\\"b"}',
      '{"id":"1","line":"x"} ',
      '{"id":"1","line":"x"',
    ]) {
      expect(readRecordFast(text), text).toBeUndefined();
    }
  });
});
