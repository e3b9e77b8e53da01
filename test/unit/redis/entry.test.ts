import { describe, expect, it } from 'vitest';
import { entryGap, entryRecord, entryRecords, isRedisResumePoint, readEntries, type RawEntry } from '../../../src/redis/entry.js';
import { entryRecord as servedRecord } from '../../../src/sources/redis/entry.js';
import type { GapRecord } from '../../../src/wire/types.js';

describe('a Redis stream entry as a record', () => {
  it('takes the entry id as id and keeps the evlog id as evlogId', () => {
    expect(entryRecord('17-0', ['line', 's1:click', 'id', 'AbC9', 'file', 'a.log', 'session', 's1', 'event', 'click'], 'evlog:a.log')).toEqual({
      id: '17-0', line: 's1:click', evlogId: 'AbC9', file: 'a.log', session: 's1', event: 'click',
    });
  });

  it('finds session and event in the line when the entry does not carry them', () => {
    expect(entryRecord('1-1', ['line', '{"message":"s2:buy"}'], 'k')).toEqual({ id: '1-1', line: '{"message":"s2:buy"}', file: 'k', session: 's2', event: 'buy' });
    expect(entryRecord('1-2', ['line', 'ERROR: disk full'], 'k')).toEqual({ id: '1-2', line: 'ERROR: disk full', file: 'k' });
  });

  it('shows an entry without a line as its fields in JSON, so filters see them, as of the stream it is in', () => {
    expect(entryRecord('2-0', ['session', 's', 'event', 'e', 'id', '7'], 'orders')).toEqual({
      id: '2-0', line: '{"session":"s","event":"e","id":"7"}', file: 'orders', session: 's', event: 'e', evlogId: '7',
    });
  });

  it('leaves out entries deleted from the stream', () => {
    const entries: RawEntry[] = [['1-0', ['line', 'a']], ['2-0', null], ['3-0', ['line', 'b']]];
    expect(entryRecords(entries, 'k', () => undefined).map((r) => r.id)).toEqual(['1-0', '3-0']);
  });

  it("hands the mirror's gap entries to onGap, in their place, never as lines", () => {
    const gaps: GapRecord[] = [];
    const entries: RawEntry[] = [
      ['1-0', ['line', 'a', 'file', 'a.log']],
      ['2-0', ['id', 'X', 'file', 'a.log', 'gap', 'truncated', 'gap_bytes', '120']],
      ['3-0', ['id', 'Y', 'file', 'a.log', 'gap', 'rotated file gone']],
      ['4-0', ['line', 'b', 'file', 'a.log']],
    ];
    expect(entryRecords(entries, 'k', (g) => gaps.push(g)).map((r) => r.line)).toEqual(['a', 'b']);
    expect(gaps).toEqual([
      { id: '2-0', file: 'a.log', gap: { reason: 'truncated', bytes: 120 } },
      { id: '3-0', file: 'a.log', gap: { reason: 'rotated file gone', bytes: null } },
    ]);
    // A line wins: an entry that has one is a line whatever else it carries.
    expect(entryGap('5-0', ['line', 'x', 'gap', 'no'])).toBeUndefined();
  });

  it('reads a cut line as HTTP says it, and the server streams the same record the listener reads', () => {
    const fields = ['line', 's1:buy', 'id', 'E', 'file', 'a.log', 'session', 's1', 'event', 'buy', 'truncated', '1'];
    expect(entryRecord('9-0', fields, 'k')).toMatchObject({ truncated: true });
    expect(servedRecord(['9-0', fields], 'k')).toEqual({ id: '9-0', line: 's1:buy', file: 'a.log', session: 's1', event: 'buy', truncated: true });
    expect(servedRecord(['9-1', ['id', 'E', 'file', 'a.log', 'gap', 'truncated', 'gap_bytes', '7']], 'k')).toEqual({
      id: '9-1', file: 'a.log', gap: { reason: 'truncated', bytes: 7 },
    });
  });

  it('reads the entries of a read reply in RESP3 (a map) and RESP2 (pairs)', () => {
    const entries: RawEntry[] = [['1-0', ['line', 'a']]];
    expect(readEntries({ k: entries }, 'k')).toBe(entries);
    expect(readEntries(new Map([['k', entries]]), 'k')).toBe(entries);
    expect(readEntries([['k', entries]], 'k')).toBe(entries);
    expect(readEntries(null, 'k')).toEqual([]);
  });

  it('resumes after entry ids or start, nothing else', () => {
    expect(['start', '0', '1796146759345-0', '5-12'].every(isRedisResumePoint)).toBe(true);
    expect(['', 'end', '1-', '-1', 'abc1', '1-2-3', '$', '>'].some(isRedisResumePoint)).toBe(false);
  });
});
