/**
 * Where a client's file reader starts to read one entry's lines. The entry's start id (the end of
 * the channel's entry before) is right while the file it names still holds the same content; an
 * entry that begins other content (the channel's first, the first after a copy-truncate or after a
 * rotation) is found from its own end, back by its bytes: its start id would name a file that may
 * be gone or overwritten, and reading from there would read the wrong lines or wait for ones that
 * never come.
 */
import { decodeCursor, encodeCursor, sameFile } from '../file/cursor.js';
import type { Start } from '../source.js';
import type { Entry } from './log.js';

export function entryStart(e: Entry): Start {
  const asIs: Start = e.start === 'start' ? { kind: 'start' } : { kind: 'after', id: e.start };
  const end = decodeCursor(e.end);
  if (!end || end.offset < e.bytes) return asIs;
  const start = asIs.kind === 'after' ? decodeCursor(asIs.id) : undefined;
  // Same file, same content, not behind: the lines follow the start (also when read from a rotated
  // file still drained, which the end's newest position does not name).
  if (start && sameFile(start, end) && (start.fp === undefined || start.fp === end.fp) && start.offset <= end.offset) return asIs;
  return { kind: 'after', id: encodeCursor({ ...end, offset: end.offset - e.bytes }) };
}
