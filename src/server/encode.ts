/**
 * Turns a batch of lines into one payload for one socket write: raw text, NDJSON records, SSE
 * events, or a WebSocket message. Records are built by concatenation, not by stringifying an
 * object per line, and plain text with nothing to change is passed through without a copy.
 */
import { isAscii } from 'node:buffer';
import { jsonString, parseEventLine } from '../record.js';
import type { LineBatch } from '../follow/reader.js';

/**
 * `sse-batch` puts a whole batch in one SSE event (one `data:` line per record, `id:` of the last
 * record): browsers pay tens of microseconds to dispatch each event, so one per record caps an
 * EventSource near 15k records/s with the page doing nothing else. Resuming after the id is as
 * exact as ever.
 */
export type Encoding = 'text' | 'ndjson' | 'sse' | 'sse-batch' | 'ws-text' | 'ws-ndjson';

export interface EncodeOptions {
  encoding: Encoding;
  maxLineBytes: number;
  match?: RegExp;
  /** Keep the lines `match` rejects. */
  invert?: boolean;
}

export interface Encoded {
  /** Empty when every line was filtered out. */
  payload: string | Buffer;
  /** The payload's size in bytes (for metrics, without a second pass over a string). */
  bytes: number;
  /** Lines looked at (before filtering) and lines put in the payload. */
  read: number;
  sent: number;
  truncated: number;
  /** Id of the last record in the payload. */
  lastId: string | undefined;
  /** The payload is the batch's own memory: release the batch only once the payload is flushed. */
  borrowed: boolean;
}

const NEWLINE = Buffer.from('\n');
function recordJson(id: string, line: string, truncated: boolean): string {
  const fields = parseEventLine(line);
  let json = `{"id":"${id}","line":${jsonString(line)}`;
  if (fields) json += `,"session":${jsonString(fields.session)},"event":${jsonString(fields.event)}`;
  return truncated ? `${json},"truncated":true}` : `${json}}`;
}

function countLines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

export function encodeBatch(batch: LineBatch, options: EncodeOptions): Encoded {
  const { buf, single } = batch;
  const { encoding, maxLineBytes, match } = options;
  const keep = !options.invert;
  const isText = encoding === 'text' || encoding === 'ws-text';

  // Fast path: raw lines with no CR to drop, none too long, no filter: the bytes are the payload.
  if (isText && !single && !match && buf.length <= maxLineBytes && buf.indexOf(0x0d) === -1) {
    const lines = countLines(buf);
    return {
      payload: encoding === 'text' ? buf : buf.subarray(0, buf.length - 1),
      bytes: encoding === 'text' ? buf.length : buf.length - 1,
      read: lines,
      sent: lines,
      truncated: 0,
      lastId: batch.idPrefix + (batch.base + buf.length).toString(36),
      borrowed: true,
    };
  }

  // ASCII decodes identically and faster as latin1.
  const charset = isAscii(buf) ? 'latin1' : 'utf8';
  const textParts: Buffer[] = [];
  let out = '';
  let read = 0;
  let sent = 0;
  let truncatedCount = 0;
  let lastId: string | undefined;

  for (let pos = 0; pos < buf.length || (single && read === 0); ) {
    const lineStart = pos;
    const nl = single ? buf.length : buf.indexOf(0x0a, pos);
    pos = nl + 1;
    const id = batch.idPrefix + (single ? single.end : batch.base + pos).toString(36);
    let end = nl > lineStart && buf[nl - 1] === 0x0d ? nl - 1 : nl;
    let truncated = single?.truncated ?? false;
    if (end - lineStart > maxLineBytes) {
      end = lineStart + maxLineBytes;
      truncated = true;
    }
    read++;
    const line = buf.toString(charset, lineStart, end);
    if (match) {
      match.lastIndex = 0;
      if (match.test(line) !== keep) continue;
    }
    sent++;
    if (truncated) truncatedCount++;
    lastId = id;
    switch (encoding) {
      case 'text':
        textParts.push(buf.subarray(lineStart, end), NEWLINE);
        break;
      case 'ws-text':
        if (textParts.length > 0) textParts.push(NEWLINE);
        textParts.push(buf.subarray(lineStart, end));
        break;
      case 'ndjson':
        out += `${recordJson(id, line, truncated)}\n`;
        break;
      case 'ws-ndjson':
        out += out === '' ? recordJson(id, line, truncated) : `\n${recordJson(id, line, truncated)}`;
        break;
      case 'sse':
        out += `id: ${id}\ndata: ${recordJson(id, line, truncated)}\n\n`;
        break;
      case 'sse-batch':
        out += `data: ${recordJson(id, line, truncated)}\n`;
        break;
    }
  }
  if (encoding === 'sse-batch' && out !== '') out = `id: ${lastId}\n${out}\n`;
  const payload = isText ? Buffer.concat(textParts) : out;
  // Records of ASCII lines are ASCII (JSON escapes are too): one byte per character.
  const bytes = typeof payload !== 'string' ? payload.length : charset === 'latin1' ? payload.length : Buffer.byteLength(payload);
  return { payload, bytes, read, sent, truncated: truncatedCount, lastId, borrowed: false };
}
