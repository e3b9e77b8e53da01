/**
 * Record ids: the file's identity and the byte offset just after the line, so an id stays
 * meaningful across server restarts. Dot-separated base-36 fields keep ids URL- and SSE-safe; a
 * leading field names the format version so later versions (several files per server) can add
 * fields without breaking old ids.
 */
export interface FileIdentity {
  dev: number;
  ino: number;
}

export interface Cursor extends FileIdentity {
  offset: number;
}

/**
 * Response header of a stream (and of a WebSocket upgrade) carrying the id it starts after: a
 * client that has received no record yet can still resume exactly with `from=<that id>`.
 */
export const START_HEADER = 'evlog-start';

const VERSION = '1';
const field = /^[0-9a-z]{1,14}$/;

/** Everything but the offset, computed once per file and reused for every record of it. */
export function cursorPrefix(identity: FileIdentity): string {
  return `${VERSION}.${identity.dev.toString(36)}.${identity.ino.toString(36)}.`;
}

export function encodeCursor(cursor: Cursor): string {
  return cursorPrefix(cursor) + cursor.offset.toString(36);
}

/** Undefined for anything that is not an id this server could have written. */
export function decodeCursor(id: string): Cursor | undefined {
  const parts = id.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION || !parts.slice(1).every((p) => field.test(p))) return undefined;
  const [dev, ino, offset] = parts.slice(1).map((p) => parseInt(p, 36)) as [number, number, number];
  if (![dev, ino, offset].every(Number.isSafeInteger)) return undefined;
  return { dev, ino, offset };
}

/** What `from=` takes: an id this server could have written, or `start`. */
export function isResumeId(text: string): boolean {
  return text === 'start' || decodeCursor(text) !== undefined;
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}
