/**
 * Whether entries a reader had not read yet were trimmed away (`MAXLEN`, `XTRIM`) while it was
 * behind: a blocking read after `after` whose first entry is `first` skipped them silently
 * otherwise. Asked only when `first` is not provably the very next entry (same millisecond, next
 * sequence number: most of a batch the mirror writes), so at most one short `XRANGE` per read.
 */
import { compareIds } from '../sources/redis/entry.js';

/** Sends one command (and waits out a lost connection as the caller does); undefined once closed. */
export type Send = <T>(args: string[]) => Promise<T | undefined>;

/** `<ms>` as Redis reads it after XREAD: `<ms>-0`. */
export function fullId(id: string): string {
  return id.includes('-') ? id : `${id}-0`;
}

function isSuccessor(after: string, first: string): boolean {
  const [am, as] = after.split('-');
  const [fm, fs] = first.split('-');
  return am === fm && BigInt(fs!) === BigInt(as!) + 1n;
}

/**
 * True when the stream no longer starts at or before `after` (trimming takes the oldest entries
 * first, so what lay between `after` and `first` went too). `0-0` is the stream's start. Two cases
 * are taken for a gap though none was skipped: `after` trimmed with nothing between it and what is
 * left (Redis keeps no record that would tell), and `after` trimmed between the read and this look.
 */
export async function trimmedAfter(send: Send, key: string, after: string, first: string): Promise<boolean> {
  const from = fullId(after);
  if (from === '0-0' || isSuccessor(from, first)) return false;
  const oldest = await send<[string, unknown][]>(['XRANGE', key, '-', '+', 'COUNT', '1']);
  return oldest?.[0] !== undefined && compareIds(oldest[0][0], from) > 0;
}
