/**
 * Reading an NDJSON record without `JSON.parse` when it has the exact shape evlog's server writes:
 * `{"id":"…","line":"…"}`, then the session and event derived from the line, then
 * `"truncated":true`. A line with nothing to unescape is a slice of the text; anything else
 * (escapes, other fields, another order) returns undefined, and the caller parses it as JSON.
 * `JSON.parse` was half of `evlog listen`'s time; this is about four times cheaper.
 */
import { jsonString, parseEventLine, type StreamRecord } from '../wire/record.js';

const HEAD = '{"id":"';
const LINE = '","line":"';
const END = '}';
const TRUNCATED_END = ',"truncated":true}';

export function readRecordFast(text: string): StreamRecord | undefined {
  if (!text.startsWith(HEAD)) return undefined;
  const idEnd = text.indexOf('"', HEAD.length);
  if (idEnd === -1 || !text.startsWith(LINE, idEnd)) return undefined;
  const lineStart = idEnd + LINE.length;
  const lineEnd = text.indexOf('"', lineStart);
  if (lineEnd === -1) return undefined;
  const id = text.slice(HEAD.length, idEnd);
  const line = text.slice(lineStart, lineEnd);
  // An escaped character (including an escaped quote, which ended the scan early) needs JSON.
  if (id.includes('\\') || line.includes('\\')) return undefined;

  const rest = text.length - lineEnd - 1;
  if (rest === END.length && text.endsWith(END)) return { id, line };
  if (rest === TRUNCATED_END.length && text.endsWith(TRUNCATED_END)) return { id, line, truncated: true };
  // The server derives session and event from the line; derive them again and require the same text.
  const fields = parseEventLine(line);
  if (fields === undefined) return undefined;
  const tail = `,"session":${jsonString(fields.session)},"event":${jsonString(fields.event)}`;
  if (!text.startsWith(tail, lineEnd + 1)) return undefined;
  const after = text.length - lineEnd - 1 - tail.length;
  if (after === END.length && text.endsWith(END)) return { id, line, session: fields.session, event: fields.event };
  if (after === TRUNCATED_END.length && text.endsWith(TRUNCATED_END)) {
    return { id, line, session: fields.session, event: fields.event, truncated: true };
  }
  return undefined;
}
