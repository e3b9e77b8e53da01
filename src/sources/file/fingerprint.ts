/**
 * A file's fingerprint: a hash of its first line (at most FINGERPRINT_BYTES of it). An inode
 * number can be reused by a new file and a truncated file keeps its inode, so identity alone
 * cannot tell that the bytes under an offset are not the ones a reader saw; the first line can.
 * Once complete it never changes in an append-only file.
 */
import { readSync } from 'node:fs';

export const FINGERPRINT_BYTES = 256;

/** FNV-1a over the first line of `head` (the file's first bytes); undefined while it is incomplete. */
export function fingerprintOf(head: Buffer): number | undefined {
  const newline = head.indexOf(0x0a);
  const end = newline === -1 ? (head.length >= FINGERPRINT_BYTES ? FINGERPRINT_BYTES : -1) : Math.min(newline + 1, FINGERPRINT_BYTES);
  if (end === -1) return undefined;
  let hash = 0x811c9dc5;
  for (let i = 0; i < end; i++) {
    hash ^= head[i]!;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const scratch = Buffer.allocUnsafe(FINGERPRINT_BYTES);

/**
 * The fingerprint of the file open at `fd`. Synchronous: it is a few hundred bytes from the page
 * cache, and a trip through the threadpool would cost more than the read.
 */
export function fingerprintFd(fd: number): number | undefined {
  const n = readSync(fd, scratch, 0, FINGERPRINT_BYTES, 0);
  return fingerprintOf(scratch.subarray(0, n));
}
