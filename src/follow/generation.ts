/**
 * One incarnation of the followed path: an open descriptor on one inode. A rotation ends a
 * generation (`next` is set) but its descriptor stays open until every reader has drained it, so
 * lines written just before a rename or unlink are still delivered.
 */
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { cursorPrefix, type FileIdentity } from '../cursor.js';

let serials = 0;
const SYNC_READ_MAX = 64 * 1024;

export class Generation implements FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly handle: FileHandle;
  /** Unique within this process, for cache keys: an inode number can be reused. */
  readonly serial = ++serials;
  readonly idPrefix: string;
  /** Bytes known to be in the file; readers never read past it. */
  size: number;
  /** Bumped on truncation: readers holding an older epoch restart at 0. */
  epoch = 0;
  /** The generation that replaced this one at the path; once set, `size` is final. */
  next: Generation | undefined;
  #refs = 0;
  #closed: Promise<void> | undefined;

  readonly #onRead: (bytes: number) => void;

  constructor(handle: FileHandle, identity: FileIdentity, size: number, onRead: (bytes: number) => void = () => undefined) {
    this.handle = handle;
    this.#onRead = onRead;
    this.dev = identity.dev;
    this.ino = identity.ino;
    this.size = size;
    this.idPrefix = cursorPrefix(identity);
  }

  get isClosed(): boolean {
    return this.#closed !== undefined;
  }

  get ended(): boolean {
    return this.next !== undefined;
  }

  acquire(): this {
    this.#refs++;
    return this;
  }

  /** Drops a reference; an ended generation nobody reads any more closes its descriptor. */
  release(): void {
    this.#refs--;
    if (this.#refs <= 0 && this.ended) void this.close();
  }

  /** Reads `length` bytes at `offset` (fewer at the end of the file), into `into` when given. */
  async read(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    const buf = into && into.length >= length ? into : Buffer.allocUnsafe(length);
    let filled = 0;
    // What was just appended is in the page cache: reading it in place saves a threadpool round
    // trip on every live line. Large reads (catching up) stay off the event loop.
    if (length <= SYNC_READ_MAX) {
      while (filled < length) {
        const n = readSync(this.handle.fd, buf, filled, length - filled, offset + filled);
        if (n === 0) break;
        filled += n;
      }
    }
    while (filled < length) {
      const { bytesRead } = await this.handle.read(buf, filled, length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    this.#onRead(filled);
    return filled === buf.length ? buf : buf.subarray(0, filled);
  }

  close(): Promise<void> {
    this.#closed ??= this.handle.close().catch(() => undefined);
    return this.#closed;
  }
}
