/**
 * The rotated files of a followed path: the files in its directory whose names start with its
 * name (`event.log.1`, `event.log-20261201`), oldest first. A reader resuming inside a rotated
 * file after a restart finds it here by identity, and goes on through the newer ones.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FileIdentity } from './cursor.js';
import { entryNames } from './dir-watch.js';

export interface Sibling extends FileIdentity {
  path: string;
  mtimeNs: bigint;
}

/** Names of compressed copies: their bytes are not the file's any more. */
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|z|zip)$/i;

/**
 * Rotation schemes number newer files lower (`.1` is newer than `.2`) and date them higher; this
 * orders files with the same modification time (rotations within one clock tick).
 */
function olderFirst(a: Sibling, b: Sibling): number {
  if (a.mtimeNs !== b.mtimeNs) return a.mtimeNs < b.mtimeNs ? -1 : 1;
  const na = /\.(\d+)$/.exec(a.path);
  const nb = /\.(\d+)$/.exec(b.path);
  if (na && nb) return Number(nb[1]) - Number(na[1]);
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * Whether `name` is the name of a rotated copy of a file named `base` (both base names, in the same
 * directory): it starts with it and is longer (`event.log.1`, `event.log-20261201`, `event.log.2.gz`).
 */
export function isRotatedName(base: string, name: string): boolean {
  return name.length > base.length && name.startsWith(base);
}

/**
 * Uncompressed regular files named `<file><anything>`, besides the file itself, oldest first:
 * among `only` when given (names known to have changed), else all in the directory.
 */
export async function listSiblings(file: string, only?: Iterable<string>): Promise<Sibling[]> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const names = only ? [...only] : startingWith(await entryNames(dir).catch(() => [] as string[]), base);
  const found: Sibling[] = [];
  await Promise.all(
    names
      .filter((name) => isRotatedName(base, name) && !COMPRESSED.test(name))
      .map(async (name) => {
        const full = path.join(dir, name);
        const stats = await stat(full, { bigint: true }).catch(() => undefined);
        if (!stats?.isFile()) return;
        found.push({ path: full, dev: Number(stats.dev), ino: Number(stats.ino), mtimeNs: stats.mtimeNs });
      }),
  );
  return found.sort(olderFirst);
}

/** The names in `sorted` that start with `prefix`: one run of it, found by binary search. */
function startingWith(sorted: readonly string[], prefix: string): string[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < sorted.length && sorted[end]!.startsWith(prefix)) end++;
  return sorted.slice(lo, end);
}
