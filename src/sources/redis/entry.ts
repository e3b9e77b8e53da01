/** A Redis stream entry as a record: the mirror's fields (redis/entries.ts), or any other entry. */
import { entryGap, entryRecord as redisRecord } from '../../redis/entry.js';
import type { SourceRecord } from '../batch.js';

/** An entry as XRANGE/XREVRANGE return it: its id and `[field, value, …]`. */
export type RawEntry = [string, string[]];

/** `<ms>-<seq>`, both whole numbers: what Redis writes as entry ids. */
const entryId = /^\d{1,20}-\d{1,20}$/;

export function isEntryId(id: string): boolean {
  return entryId.test(id);
}

/** -1, 0 or 1 as entry id `a` comes before, is, or comes after `b`. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}

/**
 * The record of an entry as a server streams it, with the entry id as its id: the fields a file's
 * record has (the entry's other fields, and the evlog id, stay in Redis). An entry the mirror did
 * not write (no `line`, no `gap`) becomes a line holding its fields as a JSON object, so the event
 * rule applies to it as to a winston JSON line. Read the same way as `listen redis://` reads it.
 */
export function entryRecord([id, flat]: RawEntry, key: string): SourceRecord {
  const gap = entryGap(id, flat);
  if (gap) return gap;
  const { line, file, session, event, truncated } = redisRecord(id, flat, key);
  const record: SourceRecord = { id, line, file };
  if (session !== undefined && event !== undefined) Object.assign(record, { session, event });
  if (truncated) record.truncated = true;
  return record;
}
