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

/**
 * A generation's descriptor: open, parked (closed until it is needed again, see idle-files.ts) or
 * closed for good. A read through the threadpool in flight keeps the number: closed under it, the
 * number could be another file's by the time the read runs.
 */
export class Held {
  #fd: number | undefined;
  #closed = false;
  #busy = 0;
  #closeAfterRead: number | undefined;

  constructor(fd: number) {
    this.#fd = fd;
  }

  /** Undefined while parked, and once closed. */
  get fd(): number | undefined {
    return this.#fd;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A read through the threadpool is in flight. */
  get busy(): boolean {
    return this.#busy > 0;
  }

  /** Closes the descriptor until `resume`. */
  park(): void {
    if (this.#fd === undefined || this.busy) return;
    closeFd(this.#fd);
    this.#fd = undefined;
  }

  /** A descriptor on the same file for a parked one; false (and closed) when not wanted. */
  resume(fd: number): boolean {
    if (this.#fd !== undefined || this.#closed) {
      closeFd(fd);
      return false;
    }
    this.#fd = fd;
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#fd !== undefined && this.#busy === 0) closeFd(this.#fd);
    else this.#closeAfterRead = this.#fd;
    this.#fd = undefined;
  }

  /** Bytes read into `buf` from `start` up to `end` (file offset `position` for `start`), through the threadpool. */
  async readAt(fd: number, buf: Buffer, start: number, end: number, position: number): Promise<number> {
    let filled = start;
    this.#busy++;
    try {
      while (filled < end) {
        const { bytesRead } = await readAsync(fd, buf, filled, end - filled, position + filled - start);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
    } catch {
      // Closed under the read (the follower closing): what was read so far.
    } finally {
      if (--this.#busy === 0 && this.#closeAfterRead !== undefined) {
        closeFd(this.#closeAfterRead);
        this.#closeAfterRead = undefined;
      }
    }
    return filled - start;
  }
}
