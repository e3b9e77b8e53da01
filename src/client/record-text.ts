/**
 * Reading an NDJSON record without `JSON.parse` of the record when it has the exact shape evlog's
 * server writes: `{"id":"…","file":"…","line":"…"}` (`file` absent from older servers), then `"session"` and `"event"`, then `"truncated":true`.
 * The fields are found from both ends: `","event":"` cannot occur inside a valid JSON string (its
 * second quote would be escaped), so its last occurrence is the field's. A string with nothing to
 * unescape is a slice of the text; one with escapes (a JSON line's quotes) is decoded by parsing
 * that one string, which also refuses it if it is not valid JSON. Anything else returns undefined,
 * and the caller parses the record as JSON. `JSON.parse` of the record was half of `evlog listen`'s
 * time.
 */
import type { StreamRecord } from '../wire/record.js';

const HEAD = '{"id":"';
const FILE = '","file":"';
const LINE = '","line":"';
const SESSION = '","session":"';
const EVENT = '","event":"';
const TRUNCATED = ',"truncated":true}';

/** Raw control characters: JSON.parse refuses them inside a string, so this reader must too. */
const control = /[\u0000-\u001f]/;

/** `text[from, to)` as the inside of a JSON string, decoded; undefined if it is not one. */
function decode(text: string, from: number, to: number): string | undefined {
  const raw = text.slice(from, to);
  if (!raw.includes('\\')) return raw.includes('"') || control.test(raw) ? undefined : raw;
  try {
    // The string with its quotes, as it stands in the text.
    const value: unknown = JSON.parse(text.slice(from - 1, to + 1));
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function readRecordFast(text: string): StreamRecord | undefined {
  if (!text.startsWith(HEAD)) return undefined;
  const idEnd = text.indexOf('"', HEAD.length);
  if (idEnd === -1) return undefined;
  let file: string | undefined;
  let fileEnd = idEnd;
  if (text.startsWith(FILE, idEnd)) {
    // A name with escapes may hold a quote: the first one would not end it, so JSON.parse decides.
    const fileStart = idEnd + FILE.length;
    fileEnd = text.indexOf('"', fileStart);
    if (fileEnd === -1) return undefined;
    file = text.slice(fileStart, fileEnd);
    if (file.includes('\\') || control.test(file)) return undefined;
  }
  if (!text.startsWith(LINE, fileEnd)) return undefined;
  const lineStart = fileEnd + LINE.length;
  // From the end: `}`, perhaps `,"truncated":true` before it, and the last string's closing quote.
  const truncated = text.endsWith(TRUNCATED);
  let end = text.length - (truncated ? TRUNCATED.length : 1);
  if (end <= lineStart || text.charCodeAt(end - 1) !== 0x22 || (!truncated && text.charCodeAt(end) !== 0x7d)) return undefined;
  end--;
  // Ids are tokens with nothing to escape: one that holds a backslash is left to JSON.parse.
  const id = text.slice(HEAD.length, idEnd);
  if (id.includes('\\') || control.test(id)) return undefined;
  const eventAt = text.lastIndexOf(EVENT, end);
  if (eventAt < lineStart) {
    const line = decode(text, lineStart, end);
    if (line === undefined) return undefined;
    if (file === undefined) return truncated ? { id, line, truncated } : { id, line };
    return truncated ? { id, file, line, truncated } : { id, file, line };
  }
  const sessionAt = text.lastIndexOf(SESSION, eventAt);
  if (sessionAt < lineStart) return undefined;
  const line = decode(text, lineStart, sessionAt);
  const session = decode(text, sessionAt + SESSION.length, eventAt);
  const event = decode(text, eventAt + EVENT.length, end);
  if (line === undefined || session === undefined || event === undefined) return undefined;
  if (file === undefined) return truncated ? { id, line, session, event, truncated } : { id, line, session, event };
  return truncated ? { id, file, line, session, event, truncated } : { id, file, line, session, event };
}
