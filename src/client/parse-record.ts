/** One NDJSON record of the stream, read the fast way when it has the server's shape, else by JSON.parse. */
import { RuntimeError } from '../errors.js';
import { isGapRecord, type GapRecord, type StreamRecord } from '../wire/record.js';
import { readRecordFast } from './record-text.js';

/** Whether what `parseRecord` gave is a gap: a record with a line is a line whatever else it holds. */
export function isGap(rec: StreamRecord | GapRecord): rec is GapRecord {
  return (rec as Partial<StreamRecord>).line === undefined;
}

export function parseRecord(text: string): StreamRecord | GapRecord {
  const fast = readRecordFast(text);
  if (fast !== undefined) return fast;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RuntimeError('EVLOG_ERR_PROTOCOL', `the server sent something that is not an NDJSON record: ${text.slice(0, 80)}`);
  }
  if (isGapRecord(value) && (value as Partial<StreamRecord>).line === undefined) return value;
  const rec = value as StreamRecord;
  if (typeof rec?.id !== 'string' || typeof rec.line !== 'string') {
    throw new RuntimeError('EVLOG_ERR_PROTOCOL', `the server sent a record without id or line: ${text.slice(0, 80)}`);
  }
  return rec;
}
