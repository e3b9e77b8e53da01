/**
 * One incarnation of the followed path: an open descriptor on one inode. A rotation ends a
 * generation (`next` is set), but a writer may still append to it, so it is drained until quiet
 * (`final`); its descriptor stays open until then and until every reader has finished it.
 */
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { FileIdentity } from './cursor.js';
import { fingerprintFd } from './fingerprint.js';

let serials = 0;
const SYNC_READ_MAX = 64 * 1024;

export class Generation implements FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly handle: FileHandle;
  /** Unique within this process, for cache keys: an inode number can be reused. */
  readonly serial = ++serials;
  /** Bytes known to be in the file; readers never read past it. */
  size: number;
  /** Bumped on truncation: readers holding an older epoch restart at 0. */
  epoch = 0;
  /** The size the file had when it was last found truncated (for the gap a reader reports). */
  sizeBeforeTruncation = 0;
  /** The generation that replaced this one at the path. */
  next: Generation | undefined;
  /** No longer written to (rotated and quiet, or a rotated file opened later): `size` is final. */
  final = false;
  /** When `size` last grew (ms, monotonic), to tell when a rotated file has gone quiet. */
  lastGrowth = performance.now();
  #fingerprint: number | undefined;
  #refs = 0;
  #closed: Promise<void> | undefined;

  readonly #onRead: (bytes: number) => void;

  constructor(handle: FileHandle, identity: FileIdentity, size: number, onRead: (bytes: number) => void = () => undefined) {
    this.handle = handle;
    this.#onRead = onRead;
    this.dev = identity.dev;
    this.ino = identity.ino;
    this.size = size;
  }

  get isClosed(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * The fingerprint of the file's first line, once it is complete (see fingerprint.ts). Read
   * again after a truncation, since the first line may differ then.
   */
  fingerprint(): number | undefined {
    if (this.#fingerprint === undefined && this.size > 0 && !this.isClosed) this.#fingerprint = fingerprintFd(this.handle.fd);
    return this.#fingerprint;
  }

  /**
   * The descriptor says the file holds `size` bytes, more than before: false when that is not
   * growth but a truncation written again past the old size before anyone looked, told apart by a
   * first line that is not the one it was.
   */
  grewTo(size: number): boolean {
    const known = this.fingerprint();
    if (known !== undefined && fingerprintFd(this.handle.fd) !== known) return false;
    this.size = size;
    this.lastGrowth = performance.now();
    return true;
  }

  /** The file was found truncated at `size` (or rewritten, if it is larger). */
  truncated(size: number): void {
    this.sizeBeforeTruncation = this.size;
    this.epoch++;
    this.size = size;
    this.#fingerprint = undefined;
    this.lastGrowth = performance.now();
  }

  acquire(): this {
    this.#refs++;
    return this;
  }

  /** Drops a reference; a final generation nobody reads any more closes its descriptor. */
  release(): void {
    this.#refs--;
    if (this.#refs <= 0 && this.final) void this.close();
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

  /** Like `read`, but always through the threadpool: for scans that must not hold the event loop. */
  async readAsync(offset: number, buf: Buffer): Promise<Buffer> {
    let filled = 0;
    while (filled < buf.length) {
      const { bytesRead } = await this.handle.read(buf, filled, buf.length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    this.#onRead(filled);
    return buf.subarray(0, filled);
  }

  close(): Promise<void> {
    this.final = true;
    this.#closed ??= this.handle.close().catch(() => undefined);
    return this.#closed;
  }
}
