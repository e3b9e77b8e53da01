import { describe, expect, it } from 'vitest';
import { compareIds, entryRecord, isEntryId } from '../../../../src/sources/redis/entry.js';

describe('Redis entry ids', () => {
  it('are <ms>-<seq>', () => {
    expect(isEntryId('1764598221123-0')).toBe(true);
    expect(isEntryId('0-0')).toBe(true);
    for (const bad of ['1764598221123', '1-2-3', 'a-1', '-1', '2.1e68.1b98v-1c528c6-5']) expect(isEntryId(bad), bad).toBe(false);
  });

  it('compare by milliseconds, then sequence, beyond 2^53', () => {
    expect(compareIds('2-0', '10-0')).toBe(-1);
    expect(compareIds('5-10', '5-9')).toBe(1);
    expect(compareIds('5-9', '5-9')).toBe(0);
    expect(compareIds('18446744073709551615-1', '18446744073709551615-0')).toBe(1);
  });
});

describe('entryRecord', () => {
  it('takes the mirror fields, with the entry id as the record id', () => {
    expect(entryRecord(['1-0', ['line', 's:e', 'id', '2.x', 'file', 'a.log', 'session', 's', 'event', 'e']], 'k')).toEqual({ id: '1-0', line: 's:e', file: 'a.log', session: 's', event: 'e' });
    // An entry another writer left without a file is of the stream: every record names its file.
    expect(entryRecord(['1-1', ['line', 'cut', 'truncated', '1']], 'evlog:g')).toStrictEqual({ id: '1-1', line: 'cut', file: 'evlog:g', truncated: true });
  });

  it('finds session and event in a line another writer left without them', () => {
    expect(entryRecord(['1-2', ['line', 's9:buy']], 'k')).toMatchObject({ session: 's9', event: 'buy' });
  });

  it('reads a gap entry as a gap', () => {
    expect(entryRecord(['1-3', ['id', '2.x', 'file', 'a.log', 'gap', 'truncated', 'gap_bytes', '7']], 'k')).toEqual({ id: '1-3', file: 'a.log', gap: { reason: 'truncated', bytes: 7 } });
  });

  it('streams an entry without a line as its fields in JSON, events found as in a winston line', () => {
    expect(entryRecord(['1-4', ['session', 's1', 'event', 'click', 'n', '3']], 'k')).toEqual({ id: '1-4', line: '{"session":"s1","event":"click","n":"3"}', file: 'k', session: 's1', event: 'click' });
  });
});
