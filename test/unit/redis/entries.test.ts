import { describe, expect, it } from 'vitest';
import { batchEntries } from '../../../src/redis/entries.js';
import type { LineBatch } from '../../../src/sources/batch.js';

const batch = (text: string, extra: Partial<LineBatch> = {}): LineBatch => ({
  idPrefix: 'P-',
  idSuffix: '.S',
  file: 'f',
  base: 100,
  buf: Buffer.from(text),
  release: () => undefined,
  ...extra,
});

describe('batchEntries', () => {
  it('gives each line its fields and the evlog id of the position after it', () => {
    expect(batchEntries(batch('s1:a\nERROR: disk full\r\n{"session":"s2","event":"b"}\n'), 1000)).toEqual([
      `line\ns1:a\nid\nP-${(105).toString(36)}.S\nsession\ns1\nevent\na`,
      `line\nERROR: disk full\nid\nP-${(123).toString(36)}.S`,
      `line\n{"session":"s2","event":"b"}\nid\nP-${(152).toString(36)}.S\nsession\ns2\nevent\nb`,
    ]);
  });

  it('cuts a line at the limit and flags it', () => {
    expect(batchEntries(batch('abcdefgh\n'), 3)).toEqual([`line\nabc\nid\nP-${(109).toString(36)}.S\ntruncated\n1`]);
    expect(batchEntries(batch('abc', { single: { end: 900, truncated: true } }), 3)).toEqual([`line\nabc\nid\nP-${(900).toString(36)}.S\ntruncated\n1`]);
  });

  it('makes a gap one entry without a line, at the position the stream resumes after', () => {
    expect(batchEntries(batch('', { gap: { reason: 'truncated', bytes: 42, file: 'f' } }), 10)).toEqual([`id\nP-${(100).toString(36)}.S\ngap\ntruncated\ngap_bytes\n42`]);
    expect(batchEntries(batch('', { gap: { reason: 'rotated file gone', bytes: null, file: 'f' } }), 10)).toEqual([`id\nP-${(100).toString(36)}.S\ngap\nrotated file gone`]);
  });
});
