/**
 * One incarnation of the followed path: one inode, read through a descriptor. A rotation ends a
 * generation (`next` is set), but a writer may still append to it, so it is drained until quiet
 * (`final`); its descriptor stays open until then and until every reader has finished it.
 *
 * The file at the path needs no descriptor while nobody reads it: it is parked (the descriptor
 * closed, see idle-files.ts) and opened again by path when a reader or a change needs it, checked
 * by identity; the fingerprint taken before parking tells the follower whether the file it finds
 * there is still the one it parked (see Follower.#check).
 */
import { fstatSync, readSync, type BigIntStats, type Stats } from 'node:fs';
import { sameFile, type FileIdentity } from './cursor.js';
import { fingerprintFd } from './fingerprint.js';
import { forget, used, type Parkable } from './idle-files.js';
import { closeFd, readAt } from './descriptor.js';

/**
 * A descriptor on a parked generation's file again; undefined when it is not there any more.
 * Throws when it is there but cannot be opened.
 */
export type Reopen = (gen: Generation) => number | undefined;

/** A reader's position in a generation, as far as parking cares. */
export interface ReadPosition {
  offset: number;
  epoch: number;
}

let serials = 0;
const SYNC_READ_MAX = 64 * 1024;

const EMPTY = Buffer.alloc(0);

export class Generation implements FileIdentity, Parkable {
  readonly dev: number;
  readonly ino: number;
  /** Readers' positions in this file: one behind its end keeps the descriptor open. */
  readonly readers = new Set<ReadPosition>();
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
  #closed = false;
  /** Undefined while parked, and once closed. */
  #fd: number | undefined;
  #reopen: Reopen | undefined;
  /** Whether it may be parked now (the follower's say: it is the file at the path). */
  #mayPark: (() => boolean) | undefined;
  /** The status change time when parked: any write, or a new file at a reused inode number, moves it. */
  #parkedCtime = 0;
  /** Reads in flight. */
  #busy = 0;
  /** Closed while a read was in flight: the descriptor to close once it is done. */
  #closeAfterRead: number | undefined;

  readonly #onRead: (bytes: number) => void;

  constructor(fd: number, identity: FileIdentity, size: number, onRead: (bytes: number) => void = () => undefined) {
    this.#fd = fd;
    this.#onRead = onRead;
    this.dev = identity.dev;
    this.ino = identity.ino;
    this.size = size;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Its descriptor is closed until it is needed again (see `unpark`). */
  get parked(): boolean {
    return this.#fd === undefined && !this.#closed;
  }

  /**
   * Lets the descriptor be closed while nothing needs it: `mayPark` says when the follower allows
   * it, `reopen` opens the file again.
   */
  parkable(reopen: Reopen, mayPark: () => boolean): void {
    this.#reopen = reopen;
    this.#mayPark = mayPark;
    this.#used();
  }

  /** A reader stopped reading it for now: its descriptor may be closed once idle. */
  touch(): void {
    if (this.#fd !== undefined) this.#used();
  }

  /** Never parked again: it is no longer at its path (a rotation drains it). */
  keepOpen(): void {
    this.#mayPark = undefined;
    forget(this);
  }

  park(): boolean {
    if (this.#fd === undefined || this.#busy > 0 || !this.#mayPark?.() || this.#readerBehind()) return false;
    // Taken now, while there is a descriptor: ids carry it, and it tells a file that replaced
    // this one at the same inode number meanwhile.
    this.fingerprint();
    this.#parkedCtime = fstatSync(this.#fd).ctimeMs;
    closeFd(this.#fd);
    this.#fd = undefined;
    return true;
  }

  /** Parked, and `stats` (of its path) says nothing has changed since. */
  unchanged(stats: Stats): boolean {
    return this.parked && sameFile(this, stats) && stats.size === this.size && stats.ctimeMs === this.#parkedCtime;
  }

  /**
   * Opens a parked file again; false when it cannot be (closed, or no longer at its path). Throws
   * when it is there but cannot be opened.
   */
  unpark(): boolean {
    if (!this.parked) return !this.#closed;
    const fd = this.#reopen?.(this);
    if (fd !== undefined) this.resume(fd);
    return this.#fd !== undefined;
  }

  /** A descriptor on this very file (identity checked by the caller) for a parked generation. */
  resume(fd: number): void {
    if (this.#fd !== undefined || this.#closed) return closeFd(fd);
    this.#fd = fd;
    this.#used();
  }

  /** The descriptor's stats; undefined while parked or once closed. */
  stat(): Stats | undefined {
    if (this.#fd === undefined) return undefined;
    this.#used();
    return fstatSync(this.#fd);
  }

  statBig(): BigIntStats | undefined {
    return this.#fd === undefined ? undefined : fstatSync(this.#fd, { bigint: true });
  }

  /** The descriptor, opened again if parked; undefined when closed or gone from its path. */
  #open(): number | undefined {
    if (this.#fd !== undefined) return this.#fd;
    try {
      return this.unpark() ? this.#fd : undefined;
    } catch {
      return undefined; // the follower's next look reports it
    }
  }

  /**
   * The fingerprint of the file's first line, once it is complete (see fingerprint.ts). Read
   * again after a truncation, since the first line may differ then.
   */
  fingerprint(): number | undefined {
    if (this.#fingerprint === undefined && this.size > 0 && this.#fd !== undefined) this.#fingerprint = fingerprintFd(this.#fd);
    return this.#fingerprint;
  }

  /** The fingerprint of the file now (not the one kept); undefined while parked. */
  fingerprintNow(): number | undefined {
    return this.#fd !== undefined && this.size > 0 ? fingerprintFd(this.#fd) : undefined;
  }

  /**
   * The descriptor says the file holds `size` bytes, more than before: false when that is not
   * growth but a truncation written again past the old size before anyone looked, told apart by a
   * first line that is not the one it was.
   */
  grewTo(size: number): boolean {
    const known = this.fingerprint();
    if (known !== undefined && this.#fd !== undefined && fingerprintFd(this.#fd) !== known) return false;
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
    // Parked, or gone from its path: nothing to read for now (the follower's next look tells).
    const fd = this.#open();
    if (fd === undefined) return EMPTY;
    const buf = into && into.length >= length ? into : Buffer.allocUnsafe(length);
    let filled = 0;
    // What was just appended is in the page cache: reading it in place saves a threadpool round
    // trip on every live line. Large reads (catching up) stay off the event loop.
    if (length <= SYNC_READ_MAX) {
      while (filled < length) {
        const n = readSync(fd, buf, filled, length - filled, offset + filled);
        if (n === 0) break;
        filled += n;
      }
    }
    if (filled < length) filled += await this.#readFrom(fd, buf, filled, length, offset);
    this.#used();
    this.#onRead(filled);
    return filled === buf.length ? buf : buf.subarray(0, filled);
  }

  /** Like `read`, but always through the threadpool: for scans that must not hold the event loop. */
  async readAsync(offset: number, buf: Buffer): Promise<Buffer> {
    const fd = this.#open();
    if (fd === undefined) return EMPTY;
    const filled = await this.#readFrom(fd, buf, 0, buf.length, offset);
    this.#used();
    this.#onRead(filled);
    return buf.subarray(0, filled);
  }

  close(): void {
    this.final = true;
    if (this.#closed) return;
    this.#closed = true;
    forget(this);
    // Not while a read is in flight on it: the number could be another file's by the time it runs.
    if (this.#fd !== undefined && this.#busy === 0) closeFd(this.#fd);
    else if (this.#fd !== undefined) this.#closeAfterRead = this.#fd;
    this.#fd = undefined;
  }

  /** Bytes read into `buf` from `start` up to `end`, through the threadpool; a read in flight keeps the descriptor. */
  async #readFrom(fd: number, buf: Buffer, start: number, end: number, offset: number): Promise<number> {
    let filled = start;
    this.#busy++;
    try {
      while (filled < end) {
        const n = await readAt(fd, buf, filled, end - filled, offset + filled);
        if (n === 0) break;
        filled += n;
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

  #readerBehind(): boolean {
    for (const r of this.readers) if (r.offset < this.size || r.epoch !== this.epoch) return true;
    return false;
  }

  #used(): void {
    if (!this.isClosed && this.#mayPark?.()) used(this);
  }
}
