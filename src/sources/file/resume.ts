/**
 * Where a reader starts when it resumes after an id: in the file the id names, found by identity
 * and fingerprint whether it is still at the path, rotated and still open, or rotated and found
 * again among its siblings (after a restart); with a cursor in each older file the id still
 * drained. Where an exact resume is impossible, a gap says so, and the reader starts at the start
 * of the oldest data still present.
 */
import type { Gap } from '../../wire/types.js';
import { sameFile, type Cursor } from './cursor.js';
import type { Follower } from './follower.js';
import type { Generation } from './generation.js';
import { locate, refreshSize } from './rotated.js';
import { listSiblings } from './siblings.js';
import { atLineStart } from './tail.js';

export type { Gap };

/** A reader's cursor in one file. */
export interface Track {
  gen: Generation;
  /** The generation's epoch the offset belongs to (see Generation.truncated). */
  epoch: number;
  offset: number;
  /** The kept head of an over-long line while the rest of it is skipped. */
  held: Buffer | undefined;
  /** The last read ended inside a line: read up to the line limit next time. */
  wantWholeLine: boolean;
}

/** A track holding a reference on `gen`, ended (`endTrack`) by whoever drops the track. */
export function startTrack(gen: Generation, offset: number): Track {
  const track = { gen: gen.acquire(), epoch: gen.epoch, offset, held: undefined, wantWholeLine: false };
  // A reader behind keeps the file's descriptor open (see Generation.park).
  gen.readers.add(track);
  return track;
}

export function endTrack(t: Track): void {
  t.gen.readers.delete(t);
  t.gen.release();
}

/** The tracks a reader resuming after `cursor` starts with (oldest first); gaps are added to `gaps`. */
export async function resumeTracks(follower: Follower, cursor: Cursor, gaps: Gap[]): Promise<Track[]> {
  const tracks: Track[] = [];
  const gen = await locate(follower, cursor);
  for (const pos of cursor.older) {
    const older = await locate(follower, pos);
    if (!older || (gen && sameFile(older, gen))) continue;
    if (older.final) refreshSize(older);
    // Only where the id left it off at a line start; a drained file that has since been read
    // to its end and closed is not found, and had nothing more.
    if (pos.offset <= older.size && (await atLineStart(older, pos.offset))) tracks.push(startTrack(older, pos.offset));
  }
  if (!gen) {
    // The file at the path with another first line was truncated and written again.
    const current = follower.current!;
    const truncated = sameFile(cursor, current);
    gaps.push({ reason: truncated ? 'truncated' : 'rotated file gone', bytes: null });
    tracks.push(startTrack(truncated ? current : await oldestPresent(follower), 0));
    return tracks;
  }
  if (gen.final) refreshSize(gen);
  if (cursor.offset > gen.size) {
    gaps.push({ reason: 'id beyond the end of its file', bytes: null });
    tracks.push(startTrack(gen, 0));
  } else if (!(await atLineStart(gen, cursor.offset))) {
    gaps.push({ reason: 'truncated', bytes: null });
    tracks.push(startTrack(gen, 0));
  } else {
    tracks.push(startTrack(gen, cursor.offset));
  }
  return tracks;
}

/** The oldest rotated file still there, else the file at the path. */
async function oldestPresent(follower: Follower): Promise<Generation> {
  for (const sibling of await listSiblings(follower.file)) {
    const found = await locate(follower, { ...sibling, fp: undefined, offset: 0 });
    if (found) return found;
  }
  return follower.current!;
}
