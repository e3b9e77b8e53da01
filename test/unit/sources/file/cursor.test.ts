import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, idAround, MAX_POSITIONS, type Cursor } from '../../../../src/sources/file/cursor.js';
import type { LineBatch } from '../../../../src/sources/file/reader.js';
import { encodeBatch } from '../../../../src/server/encode.js';

describe('record ids', () => {
  it('round-trips the newest file and the drained ones, with fingerprints', () => {
    const cursor: Cursor = { dev: 2049, ino: 1234567, fp: 0xdeadbeef, offset: 987654, older: [{ dev: 2049, ino: 1234560, fp: undefined, offset: 0 }] };
    const id = encodeCursor(cursor);
    expect(id).toMatch(/^2\.[0-9a-z.-]+$/);
    expect(decodeCursor(id)).toEqual(cursor);
  });

  it('still understands version 1 ids (no fingerprint, one file)', () => {
    expect(decodeCursor('1.1kx.qglj.8')).toEqual({ dev: parseInt('1kx', 36), ino: parseInt('qglj', 36), fp: undefined, offset: 8, older: [] });
  });

  it('stays within 128 bytes with the largest numbers in every position', () => {
    const big = Number.MAX_SAFE_INTEGER;
    const pos = { dev: 2 ** 32 - 1, ino: big, fp: 2 ** 32 - 1, offset: big };
    const id = encodeCursor({ ...pos, older: Array.from({ length: MAX_POSITIONS - 1 }, () => pos) });
    expect(id.length).toBeLessThanOrEqual(128);
    expect(decodeCursor(id)).toBeDefined();
  });

  it('refuses what it could not have written', () => {
    for (const bad of ['', '2', '2.1', '2.1.x', '2.1.a-b', '2.1.a-b-c-d', '2.1.A-b-c', '3.1.a-b-c', '1.a.b', `2.1.${'a-b-c.'.repeat(4)}a-b-c`]) {
      expect(decodeCursor(bad), bad).toBeUndefined();
    }
  });

  it('gives each record of a batch the id of every position, its own offset in its place', () => {
    const positions = [
      { dev: 1, ino: 10, fp: 5, offset: 100 },
      { dev: 1, ino: 11, fp: 6, offset: 0 },
    ];
    const { prefix, suffix } = idAround(positions, 0);
    const batch: LineBatch = { idPrefix: prefix, idSuffix: suffix, file: 'logs/app.log', base: 100, buf: Buffer.from('a:1\nb:2\n'), release: () => undefined };
    const records = encodeBatch(batch, { encoding: 'ndjson', maxLineBytes: 100 }).payload.toString().trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(records.map((r) => decodeCursor(r.id))).toEqual([
      { ...positions[1], older: [{ ...positions[0], offset: 104 }] },
      { ...positions[1], older: [{ ...positions[0], offset: 108 }] },
    ]);
  });
});

describe('gap records on the wire', () => {
  const gapBatch: LineBatch = {
    idPrefix: '2.1.a-b-',
    idSuffix: '',
    file: 'event.log',
    base: 0,
    buf: Buffer.alloc(0),
    gap: { reason: 'rotated file gone', bytes: null, file: 'event.log' },
    release: () => undefined,
  };
  const record = { id: '2.1.a-b-0', file: 'event.log', gap: { reason: 'rotated file gone', bytes: null } };

  it('is a record with no line in NDJSON and WebSocket messages', () => {
    expect(encodeBatch(gapBatch, { encoding: 'ndjson', maxLineBytes: 10 }).payload.toString()).toBe(`${JSON.stringify(record)}\n`);
    expect(encodeBatch(gapBatch, { encoding: 'ws-ndjson', maxLineBytes: 10 }).payload.toString()).toBe(JSON.stringify(record));
  });

  it('is an `event: gap` in SSE, with its id', () => {
    for (const encoding of ['sse', 'sse-batch'] as const) {
      expect(encodeBatch(gapBatch, { encoding, maxLineBytes: 10 }).payload.toString()).toBe(`id: 2.1.a-b-0\nevent: gap\ndata: ${JSON.stringify(record)}\n\n`);
    }
  });

  it('cannot be said in raw text', () => {
    expect(encodeBatch(gapBatch, { encoding: 'text', maxLineBytes: 10 }).payload.length).toBe(0);
    expect(encodeBatch(gapBatch, { encoding: 'ws-text', maxLineBytes: 10 }).payload.length).toBe(0);
  });
});
