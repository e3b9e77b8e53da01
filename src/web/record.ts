import type { Gap, StreamRecord } from '../wire/types.js';

/**
 * A row of the view: a record as `/stream?format=sse` sends it in each event's `data:`, or a place
 * the stream skipped (`event: gap`), whose `line` then says so in words.
 */
export interface LiveRecord extends StreamRecord {
  gap?: Gap;
}

/** One SSE event of `format=sse&batch=1`: a record per line. */
export function parseBatch(data: string): LiveRecord[] {
  const records: LiveRecord[] = [];
  for (const line of data.split('\n')) {
    const record = parseRecord(line);
    if (record !== undefined) records.push(record);
  }
  return records;
}

export function parseRecord(data: string): LiveRecord | undefined {
  try {
    const value = JSON.parse(data) as Partial<LiveRecord> | null;
    return typeof value?.id === 'string' && typeof value.line === 'string' ? (value as LiveRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** An `event: gap` as a row of its own: the stream skipped something it could not deliver. */
export function parseGap(data: string): LiveRecord | undefined {
  try {
    // Unchecked until each field is looked at.
    const value = JSON.parse(data) as { id?: unknown; file?: unknown; gap?: { reason?: unknown; bytes?: unknown } } | null;
    const reason = value?.gap?.reason;
    if (typeof value?.id !== 'string' || typeof reason !== 'string') return undefined;
    const bytes = typeof value.gap!.bytes === 'number' ? value.gap!.bytes : null;
    const file = typeof value.file === 'string' ? value.file : undefined;
    const line = `gap in ${file ?? 'the file'}: ${reason}${bytes === null ? '' : ` (${bytes} bytes)`}`;
    return { id: value.id, line, gap: { reason, bytes }, ...(file === undefined ? {} : { file }) };
  } catch {
    return undefined;
  }
}
