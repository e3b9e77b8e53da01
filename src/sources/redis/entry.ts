/** A Redis stream entry as a record: the mirror's fields (redis/entries.ts), or any other entry. */
import { parseEventLine } from '../../wire/record.js';
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
 * The record of an entry, with the entry id as its id. An entry the mirror did not write (no `line`,
 * no `gap`) becomes a line holding its fields as a JSON object, so the event rule applies to it as
 * to a winston JSON line (`session` and `event` fields).
 */
export function entryRecord([id, flat]: RawEntry): SourceRecord {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  const { line, file, session, event, truncated, gap } = fields;
  if (line === undefined && gap !== undefined) {
    const bytes = fields['gap_bytes'] === undefined ? null : Number(fields['gap_bytes']);
    return { id, file, gap: { reason: gap, bytes } };
  }
  if (line === undefined) {
    const text = JSON.stringify(fields);
    return { id, line: text, ...parseEventLine(text) };
  }
  const record: SourceRecord = { id, line, file };
  // The mirror writes them when the line is an event; another writer may have left them out.
  Object.assign(record, session !== undefined && event !== undefined ? { session, event } : parseEventLine(line));
  if (truncated === '1') record.truncated = true;
  return record;
}
