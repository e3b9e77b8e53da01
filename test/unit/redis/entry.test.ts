import { describe, expect, it } from 'vitest';
import { entryRecord, entryRecords, isRedisResumePoint, readEntries, type RawEntry } from '../../../src/redis/entry.js';

describe('a Redis stream entry as a record', () => {
  it('takes the entry id as id and keeps the evlog id as evlogId', () => {
    expect(entryRecord('17-0', ['line', 's1:click', 'id', 'AbC9', 'file', 'a.log', 'session', 's1', 'event', 'click'])).toEqual({
      id: '17-0', line: 's1:click', evlogId: 'AbC9', file: 'a.log', session: 's1', event: 'click',
    });
  });

  it('finds session and event in the line when the entry does not carry them', () => {
    expect(entryRecord('1-1', ['line', '{"message":"s2:buy"}'])).toEqual({ id: '1-1', line: '{"message":"s2:buy"}', session: 's2', event: 'buy' });
    expect(entryRecord('1-2', ['line', 'ERROR: disk full'])).toEqual({ id: '1-2', line: 'ERROR: disk full' });
  });

  it('shows an entry without a line as its fields in JSON, so filters see them', () => {
    expect(entryRecord('2-0', ['session', 's', 'event', 'e', 'id', '7'])).toEqual({
      id: '2-0', line: '{"session":"s","event":"e","id":"7"}', session: 's', event: 'e', evlogId: '7',
    });
  });

  it('leaves out entries deleted from the stream', () => {
    const entries: RawEntry[] = [['1-0', ['line', 'a']], ['2-0', null], ['3-0', ['line', 'b']]];
    expect(entryRecords(entries).map((r) => r.id)).toEqual(['1-0', '3-0']);
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
