/**
 * A Redis stream entry as a record, and Redis entry ids. The mirror (`serve --redis`) writes
 * `line`, `id` (the evlog id: where the line was in its file), `file` and, for events,
 * `session`/`event`. As a record the entry's own id is `id`, the id a reader resumes after; the
 * evlog id moves to `evlogId`. An entry written by someone else without `line` is shown as its
 * fields in JSON, so filters still see all of it; one without `file` is of the stream itself, as
 * its gaps are: every record names its file.
 */
import { parseEventLine } from '../wire/record.js';
import type { GapRecord, StreamRecord } from '../wire/types.js';

/** What a reply holds for one entry: its id and its fields as a flat name/value list (null once deleted). */
export type RawEntry = [id: string, fields: string[] | null];

/** A record of a stream entry, with whatever other fields the entry held. */
export interface RedisRecord extends StreamRecord {
  /** The id the line had in its file, when the mirror wrote it. */
  evlogId?: string;
  file?: string;
  [field: string]: unknown;
}

const redisId = /^\d{1,20}(-\d{1,20})?$/;

/** `<ms>-<seq>` or `<ms>`, as XREAD, XRANGE and XGROUP take it. */
export function isRedisId(text: string): boolean {
  return redisId.test(text);
}

/** A start point a Redis stream can resume after: an entry id or `start`. */
export function isRedisResumePoint(text: string): boolean {
  return text === 'start' || isRedisId(text);
}

/**
 * The gap the mirror wrote for a stretch of its file it could not deliver (an entry with `gap` and
 * no `line`), as the gap record an HTTP stream would have sent; undefined for any other entry.
 */
export function entryGap(id: string, fields: readonly string[]): GapRecord | undefined {
  let gap: string | undefined;
  let bytes: number | null = null;
  let file: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!;
    if (name === 'line') return undefined;
    if (name === 'gap') gap = fields[i + 1];
    else if (name === 'gap_bytes') bytes = Number(fields[i + 1]);
    else if (name === 'file') file = fields[i + 1];
  }
  if (gap === undefined) return undefined;
  return { id, ...(file === undefined ? {} : { file }), gap: { reason: gap, bytes: Number.isFinite(bytes) ? bytes : null } };
}

export function entryRecord(id: string, fields: readonly string[], key: string): RedisRecord {
  const rec: RedisRecord = { id, line: '' };
  let line: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    if (name === 'line') line = value;
    else if (name === 'id') rec.evlogId = value;
    // The mirror writes `truncated 1` for a line cut at --max-line-bytes; records say it as HTTP does.
    else if (name === 'truncated') rec.truncated = value === '1';
    else rec[name] = value;
  }
  if (rec.truncated === false) delete rec.truncated;
  if (typeof rec.file !== 'string') rec.file = key;
  rec.line = line ?? JSON.stringify(Object.fromEntries(pairs(fields)));
  if (typeof rec.session !== 'string' || typeof rec.event !== 'string') {
    delete rec.session;
    delete rec.event;
    const parsed = parseEventLine(rec.line);
    if (parsed) {
      rec.session = parsed.session;
      rec.event = parsed.event;
    }
  }
  return rec;
}

function* pairs(fields: readonly string[]): Generator<[string, string]> {
  for (let i = 0; i + 1 < fields.length; i += 2) yield [fields[i]!, fields[i + 1]!];
}

/**
 * The records of a reply's entries, in order; deleted entries (no fields) are left out, and the
 * mirror's gap entries go to `onGap` (as an HTTP stream's gap records do), never as lines.
 */
export function entryRecords(entries: readonly RawEntry[], key: string, onGap: (gap: GapRecord) => void): RedisRecord[] {
  const records: RedisRecord[] = [];
  for (const [id, fields] of entries) {
    if (!fields) continue;
    const gap = entryGap(id, fields);
    if (gap) onGap(gap);
    else records.push(entryRecord(id, fields, key));
  }
  return records;
}

/** XREAD's and XREADGROUP's reply for one stream: one key, its entries (RESP3 maps, RESP2 pairs). */
export type ReadReply = Record<string, RawEntry[]> | Map<string, RawEntry[]> | [key: string, entries: RawEntry[]][] | null;

export function readEntries(reply: ReadReply, key: string): RawEntry[] {
  if (!reply) return [];
  if (Array.isArray(reply)) return reply.find(([k]) => k === key)?.[1] ?? [];
  if (reply instanceof Map) return reply.get(key) ?? [];
  return reply[key] ?? [];
}
