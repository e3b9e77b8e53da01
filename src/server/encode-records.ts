/**
 * Encoding for batches of whole records, each with its own id (a Redis stream's entries): the
 * records are already strings, so each is written with `JSON.stringify`'s escaping, not by the file
 * path's byte writer. Same formats and framing as encode.ts gives a file's lines.
 */
import { gapJson, jsonString } from '../wire/record.js';
import type { SourceRecord } from '../sources/batch.js';
import type { EncodeOptions, Encoded } from './encode.js';

/** The record as JSON text, fields in the order of the file path's records (wire/record.ts). */
function recordText(r: SourceRecord): string {
  let json = `{"id":${jsonString(r.id)}`;
  if (r.file !== undefined) json += `,"file":${jsonString(r.file)}`;
  json += `,"line":${jsonString(r.line ?? '')}`;
  if (r.session !== undefined && r.event !== undefined) json += `,"session":${jsonString(r.session)},"event":${jsonString(r.event)}`;
  return r.truncated ? `${json},"truncated":true}` : `${json}}`;
}

/** `keep(line)`: whether the line passes the client's filter. */
export function encodeRecords(records: readonly SourceRecord[], options: EncodeOptions, keep: (line: string) => boolean): Encoded {
  const { encoding } = options;
  const isText = encoding === 'text' || encoding === 'ws-text';
  const parts: string[] = [];
  /** sse-batch: the data lines of the event being built, sent under the id of its last record. */
  let event: string[] = [];
  let read = 0;
  let sent = 0;
  let truncated = 0;
  let lastId: string | undefined;
  const endEvent = (): void => {
    if (event.length > 0) parts.push(`id: ${lastId}\n${event.join('')}\n`);
    event = [];
  };
  for (const r of records) {
    if (r.gap) {
      // Raw text cannot carry a gap (see the contract); every other format says it.
      if (isText) continue;
      const json = gapJson(r.id, r.file, r.gap);
      if (encoding === 'sse' || encoding === 'sse-batch') {
        endEvent();
        parts.push(`id: ${r.id}\nevent: gap\ndata: ${json}\n\n`);
      } else {
        parts.push(json);
      }
      lastId = r.id;
      continue;
    }
    read++;
    const line = r.line ?? '';
    if (!keep(line)) continue;
    sent++;
    if (r.truncated) truncated++;
    lastId = r.id;
    if (isText) parts.push(line);
    else if (encoding === 'sse') parts.push(`id: ${r.id}\ndata: ${recordText(r)}\n\n`);
    else if (encoding === 'sse-batch') event.push(`data: ${recordText(r)}\n`);
    else parts.push(recordText(r));
  }
  endEvent();
  let text = '';
  if (parts.length > 0) {
    if (encoding === 'text' || encoding === 'ndjson') text = `${parts.join('\n')}\n`;
    else if (encoding === 'ws-text' || encoding === 'ws-ndjson') text = parts.join('\n');
    else text = parts.join('');
  }
  const payload = Buffer.from(text);
  return { payload, read, sent, truncated, lastId, end: 0, borrowed: false, release: () => undefined };
}
