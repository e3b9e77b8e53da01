/**
 * The event format: exactly `<session>:<event>`, both non-empty and without whitespace, or a JSON
 * object (winston's JSON format) carrying `session`/`event` fields or a `message` in the text form.
 * Anything else (`2026-12-01 13:10:21 status installed`, `ERROR: disk full`) is still a line, just
 * without session and event.
 */
export interface EventFields {
  session: string;
  event: string;
}

/** One streamed line, as `/stream?format=ndjson` and `/ws` send it. */
export interface StreamRecord {
  /** Opaque cursor: resuming after it yields exactly the lines that follow. */
  id: string;
  line: string;
  session?: string;
  event?: string;
  truncated?: boolean;
}

/** Whitespace as a regex's `\s` sees it: an ordinary log line has some, an event has none. */
const whitespace = /\s/;

/**
 * Where a stream skipped what it could not deliver (a rotated file gone, a truncation that took
 * unread bytes, an id beyond its file): a record with no `line`. The stream resumes after `id`.
 */
export interface GapRecord {
  id: string;
  file?: string;
  gap: { reason: string; bytes: number | null };
}

export function isGapRecord(value: unknown): value is GapRecord {
  const rec = value as Partial<GapRecord> | null;
  return typeof rec?.id === 'string' && typeof rec.gap === 'object' && rec.gap !== null && typeof rec.gap.reason === 'string';
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
  if (typeof session === 'string' && typeof event === 'string') return { session, event };
  return typeof message === 'string' ? parseTextEvent(message) : undefined;
}

export function parseEventLine(line: string): EventFields | undefined {
  // Only a line that looks like an object pays for JSON.parse.
  return line.charCodeAt(0) === 0x7b /* { */ ? parseJsonEvent(line) : parseTextEvent(line);
}

const needsEscape = /["\\\u0000-\u001f\u2028\u2029]/;

/** `text` as a JSON string: verbatim in quotes unless something needs escaping (most lines don't). */
export function jsonString(text: string): string {
  return needsEscape.test(text) ? JSON.stringify(text) : `"${text}"`;
}
