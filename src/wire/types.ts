/**
 * The record's shape on the wire, as `/stream?format=ndjson|sse` and `/ws` send it, and the start
 * header. No Node APIs, so the browser page (built with its own tsconfig) reads the same definition
 * as the server, the client and the tests.
 */

/** A line's `<session>:<event>` (see record.ts for the rule that finds them). */
export interface EventFields {
  session: string;
  event: string;
}

/** One streamed line. */
export interface StreamRecord {
  /**
   * Opaque cursor: resuming after it yields exactly the lines that follow. Only the source that
   * made an id knows what is inside it; everyone else stores it and hands it back.
   */
  id: string;
  /** The channel (followed file) the line comes from, by the name the server follows it under. */
  file?: string;
  line: string;
  session?: string;
  event?: string;
  truncated?: boolean;
}

/** Why and how much a stream skipped; `bytes` is null when it cannot be known. */
export interface Gap {
  reason: string;
  bytes: number | null;
}

/**
 * Where a stream skipped what it could not deliver (a rotated file gone, a truncation that took
 * unread bytes, an id beyond its file): a record with no `line`. The stream resumes after `id`.
 */
export interface GapRecord {
  id: string;
  /** The name of the source that skipped (the followed file). */
  file?: string;
  gap: Gap;
}

/**
 * Response header of a stream (and of a WebSocket upgrade) carrying the id it starts after: a
 * client that has received no record yet can still resume exactly with `from=<that id>`.
 */
export const START_HEADER = 'evlog-start';
