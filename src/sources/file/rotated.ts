/**
 * Rotated files found again: a reader resuming inside a file that is no longer at the path, or
 * going on from one to the next newer one, uses the follower's open generation when there is one,
 * and otherwise opens the file again, found by identity among the path's siblings and checked by
 * fingerprint (an inode number alone may have been reused).
 */
import { sameFile, type FileIdentity, type Position } from './cursor.js';
import type { Follower } from './follower.js';
import { Generation } from './generation.js';
import { listSiblings } from './siblings.js';
import { closeFd, tryOpen } from './descriptor.js';

/** The file a position is in, if it is still there and still the same file. */
export async function locate(follower: Follower, pos: Position): Promise<Generation | undefined> {
  const known = follower.find(pos);
  if (known) return fingerprintMatches(known, pos.fp) ? known : undefined;
  const sibling = (await listSiblings(follower.file)).find((s) => sameFile(s, pos));
  return sibling && openRotated(follower, sibling.path, pos, pos.fp);
}

export interface Successor {
  /** The next newer file, undefined while there is none yet. */
  next: Generation | undefined;
  /** Rotated files between the two that are gone (deleted, or compressed into another file). */
  missing: number;
}

/** Where a reader goes when it has read all of a file that is no longer written. */
export async function successor(follower: Follower, gen: Generation): Promise<Successor> {
  let missing = 0;
  if (gen.next) {
    for (let cand: Generation | undefined = gen.next; cand; cand = cand.next) {
      if (!cand.isClosed) return { next: cand, missing };
      const again = await findRotated(follower, cand, cand.fingerprint());
      if (again) {
        if (again !== cand.next) again.next ??= cand.next;
        return { next: again, missing };
      }
      missing++;
    }
    return { next: follower.current, missing };
  }
  // A rotated file found by a scan: the next newer sibling, else the file at the path.
  const siblings = await listSiblings(follower.file);
  const at = siblings.findIndex((s) => sameFile(s, gen));
  const mtimeNs = at === -1 ? (gen.statBig()?.mtimeNs ?? 0n) : 0n;
  const newer = at === -1 ? siblings.filter((s) => s.mtimeNs > mtimeNs) : siblings.slice(at + 1);
  const current = follower.current;
  for (const s of newer) {
    if (current && sameFile(s, current)) continue;
    const found = follower.find(s) ?? (await openRotated(follower, s.path, s, undefined));
    if (found && !sameFile(found, gen)) return { next: found, missing };
  }
  return { next: current && !sameFile(current, gen) ? current : undefined, missing };
}

async function findRotated(follower: Follower, identity: FileIdentity, fp: number | undefined): Promise<Generation | undefined> {
  const known = follower.find(identity);
  // The file at the path with a rotated file's inode number is a new file that reused it.
  if (known) return known !== follower.current && fingerprintMatches(known, fp) ? known : undefined;
  const sibling = (await listSiblings(follower.file)).find((s) => sameFile(s, identity));
  return sibling && openRotated(follower, sibling.path, identity, fp);
}

/** Opens a rotated file, if it is still the one with this identity and fingerprint. */
async function openRotated(follower: Follower, path: string, identity: FileIdentity, fp: number | undefined): Promise<Generation | undefined> {
  const opened = tryOpen(path);
  if (!opened) return undefined;
  const { fd, stats } = opened;
  const gen = sameFile(stats, identity) ? new Generation(fd, stats, stats.size, (n) => follower.countRead(n)) : undefined;
  if (!gen || !fingerprintMatches(gen, fp)) {
    closeFd(fd);
    return undefined;
  }
  // Rotated away, so finished; a reader that reaches its end looks at its size once more.
  gen.final = true;
  const shared = follower.adopt(gen);
  if (shared !== gen) gen.close();
  return shared;
}

function fingerprintMatches(gen: Generation, fp: number | undefined): boolean {
  if (fp === undefined) return true;
  const now = gen.fingerprint();
  return now === undefined || now === fp;
}

/** A rotated file may have grown since it was opened (a writer still held it): looks again. */
export function refreshSize(gen: Generation): void {
  if (gen.isClosed) return;
  try {
    gen.size = Math.max(gen.size, gen.stat()?.size ?? 0);
  } catch {
    // Closed meanwhile: its size stays as it was.
  }
}
