/**
 * Plain descriptors for followed files, opened and closed in place. A file descriptor is opened,
 * checked and closed in a few microseconds; through the threadpool each step is a round trip, and
 * parked files (see idle-files.ts) are opened and closed again on every wake: 10,000 files would
 * start in seconds instead of a fraction of one, and each line of a file written once a second
 * would cost three trips. Large reads still go through the threadpool (`readAt`).
 */
import { closeSync, constants, fstatSync, openSync, read, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { isErrnoException } from '../../errors.js';

/**
 * Non-blocking only for the open itself: opening a named pipe for reading would otherwise wait
 * for a writer, with the event loop. Reads of regular files ignore the flag.
 */
const READ_ONLY = constants.O_RDONLY | constants.O_NONBLOCK;

export interface Opened {
  fd: number;
  stats: Stats;
}

/** The file at `file`, open for reading, with its stats; undefined when there is none. */
export function openFile(file: string): Opened | undefined {
  let fd: number;
  try {
    fd = openSync(file, READ_ONLY);
  } catch (err) {
    if (isErrnoException(err, 'ENOENT') || isErrnoException(err, 'ENOTDIR')) return undefined;
    throw err;
  }
  try {
    return { fd, stats: fstatSync(fd) };
  } catch (err) {
    closeFd(fd);
    throw err;
  }
}

/** Like `openFile`, but any failure is no file. */
export function tryOpen(file: string): Opened | undefined {
  try {
    return openFile(file);
  } catch {
    return undefined;
  }
}

export function closeFd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed: nothing to release.
  }
}

const readAsync = promisify(read);

/** Reads through the threadpool: for reads too large to hold the event loop. */
export async function readAt(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return (await readAsync(fd, buf, offset, length, position)).bytesRead;
}
