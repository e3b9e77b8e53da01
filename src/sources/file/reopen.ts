/**
 * Opening a parked file again (see idle-files.ts). At its path, if it is still the file there;
 * otherwise, once the follower finds another file at the path, among the path's siblings, where a
 * rename rotation put it: found by identity and checked by fingerprint, it is then drained as if
 * its descriptor had been open all along. A file deleted while parked is gone with what was
 * appended to it after the follower last looked.
 */
import { statSync, type Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { sameFile } from './cursor.js';
import { closeFd, openFile, tryOpen } from './descriptor.js';
import { fingerprintFd } from './fingerprint.js';
import type { Generation } from './generation.js';
import { listSiblings } from './siblings.js';

/** A descriptor on `gen`'s file if it is the one at `file`; errors other than its absence throw. */
export function reopenAt(file: string, gen: Generation): number | undefined {
  const opened = openFile(file);
  if (!opened) return undefined;
  if (sameFile(opened.stats, gen)) return opened.fd;
  closeFd(opened.fd);
  return undefined;
}

/**
 * Gives a parked generation that is no longer at `file` its descriptor back, from the sibling it
 * was renamed to; closes it for good when there is none (deleted, or compressed away).
 */
export async function recoverRotated(file: string, gen: Generation): Promise<void> {
  // Read afresh: the rename that moved it may be newer than the names kept for the directory.
  const names = await readdir(path.dirname(file)).catch(() => [] as string[]);
  for (const sibling of await listSiblings(file, names)) {
    if (!sameFile(sibling, gen)) continue;
    const opened = tryOpen(sibling.path);
    if (!opened || !sameFile(opened.stats, gen)) {
      if (opened) closeFd(opened.fd);
      break;
    }
    const fp = gen.fingerprint();
    if (fp === undefined || fingerprintFd(opened.fd) === fp) return gen.resume(opened.fd);
    closeFd(opened.fd);
    break;
  }
  gen.close();
}

/**
 * A parked file at its path after a look at the path (`stats`, undefined when nothing is there):
 * `unchanged` (no descriptor needed to know it), `moved` (another file there by the time it was
 * opened), `rewritten` (another first line at the same inode number: a new file that reused it,
 * or the file truncated and written again; either way its bytes start over), else `open` again.
 * A file deleted while parked stays parked: a writer may still append to it, out of reach.
 */
export async function wake(gen: Generation, stats: Stats | undefined): Promise<'unchanged' | 'moved' | 'rewritten' | 'open'> {
  if (!stats || gen.unchanged(stats)) return 'unchanged';
  if (!gen.unpark()) return 'moved';
  const kept = gen.fingerprint();
  return kept !== undefined && gen.fingerprintNow() !== kept ? 'rewritten' : 'open';
}

/** The safety net's look at a parked file: one stat of its path (see safety-net.ts). */
export function unchangedAt(file: string, gen: Generation): boolean {
  if (!gen.parked) return false;
  try {
    const stats = statSync(file, { throwIfNoEntry: false });
    return stats !== undefined && gen.unchanged(stats);
  } catch {
    return false; // unreadable: the full look says so
  }
}
