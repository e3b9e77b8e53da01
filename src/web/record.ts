/** A record as `/stream?format=sse` sends it in each event's `data:` (see the server's record.ts). */
export interface LiveRecord {
  id: string;
  line: string;
  session?: string;
  event?: string;
  truncated?: boolean;
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
