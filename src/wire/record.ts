/**
 * The event format: exactly `<session>:<event>`, both non-empty and without whitespace, or a JSON
 * object (winston's JSON format) carrying `session`/`event` fields (by the same rule) or a
 * `message` in the text form.
 * Anything else (`2026-12-01 13:10:21 status installed`, `ERROR: disk full`) is still a line, just
 * without session and event. This file also writes a record as JSON text: the definition that the
 * server's byte path (server/record-writer.ts) and the client's fast reader must agree with.
 */
import type { EventFields, Gap, GapRecord } from './types.js';

export type { EventFields, Gap, GapRecord, StreamRecord } from './types.js';
export { START_HEADER } from './types.js';

/** Whitespace as a regex's `\s` sees it: an ordinary log line has some, an event has none. */
const whitespace = /\s/;

export function isGapRecord(value: unknown): value is GapRecord {
  const rec = value as Partial<GapRecord> | null;
  return typeof rec?.id === 'string' && typeof rec.gap === 'object' && rec.gap !== null && typeof rec.gap.reason === 'string';
}

/**
 * A name usable as an event or session: the text format `<session>:<event>` must round-trip, and a
 * log line holds no control character a client gave.
 */
export function isValidName(name: string): boolean {
  return name.length > 0 && !/[:\s\p{Cc}]/u.test(name);
}

/** A session or an event as a JSON line's field may give it: non-empty, without whitespace. */
function isPart(text: string): boolean {
  return text !== '' && !whitespace.test(text);
}

export function parseTextEvent(text: string): EventFields | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1 || whitespace.test(text)) return undefined;
  return { session: text.slice(0, colon), event: text.slice(colon + 1) };
}

function parseJsonEvent(line: string): EventFields | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // Not JSON after all: a text line that happens to start with a brace.
    return parseTextEvent(line);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { session, event, message } = value as Record<string, unknown>;
  // The fields are the event when they are one by the format's rule; else the message may be.
  if (typeof session === 'string' && typeof event === 'string' && isPart(session) && isPart(event)) return { session, event };
  return typeof message === 'string' ? parseTextEvent(message) : undefined;
}

export function parseEventLine(line: string): EventFields | undefined {
  // Only a line that looks like an object pays for JSON.parse.
  return line.charCodeAt(0) === 0x7b /* { */ ? parseJsonEvent(line) : parseTextEvent(line);
}

// Surrogates too: a lone one (JSON.parse of `"\ud800"` gives one) must go out escaped, as
// JSON.stringify writes it, or UTF-8 would turn it into U+FFFD on the wire.
const needsEscape = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;

/** `text` as a JSON string: verbatim in quotes unless something needs escaping (most lines don't). */
export function jsonString(text: string): string {
  return needsEscape.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** A record as JSON text: the definition, and the way for lines the byte path declines. */
export function recordJson(id: string, file: string, line: string, truncated: boolean): string {
  const fields = parseEventLine(line);
  let json = `{"id":"${id}","file":${jsonString(file)},"line":${jsonString(line)}`;
  if (fields) json += `,"session":${jsonString(fields.session)},"event":${jsonString(fields.event)}`;
  return truncated ? `${json},"truncated":true}` : `${json}}`;
}

/** A gap record as JSON text. */
export function gapJson(id: string, file: string | undefined, gap: Gap): string {
  return JSON.stringify({ id, file, gap: { reason: gap.reason, bytes: gap.bytes } } satisfies GapRecord);
}
