/**
 * Follows a path by name, like `tail -F`. chokidar only says *that* something changed; the truth
 * comes from stat of the path and fstat of the open descriptor (identity and size). Every
 * notification re-checks both, so merged or dropped events cannot mislead us, and a slow poll
 * covers anything a watcher misses (a directory that does not exist yet, network file systems).
 */
import { EventEmitter } from 'node:events';
import { open, stat } from 'node:fs/promises';
import { fstatSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { RuntimeError, describeSystemError, isErrnoException } from '../errors.js';
import { sameFile, type FileIdentity } from '../cursor.js';
import { ChunkCache } from './chunk-cache.js';
import { Generation } from './generation.js';

export interface FollowerEvents {
  /** The file grew, was replaced or was truncated: readers should look again. */
  change: [];
  rotate: [from: Generation, to: Generation];
  truncate: [gen: Generation];
  /** A problem worth a log line that does not stop following (e.g. the path became unreadable). */
  warning: [message: string];
}

export interface FollowerOptions {
  /** Safety-net re-check interval, for changes no watcher reported. */
  pollMs?: number;
}

const DEFAULT_POLL_MS = 1000;

export class Follower extends EventEmitter<FollowerEvents> {
  readonly file: string;
  readonly cache = new ChunkCache();
  current: Generation | undefined;
  rotations = 0;
  truncations = 0;
  /** Every byte read from the file, shared reads counted once. */
  bytesRead = 0;
  #generations: Generation[] = [];
  #watcher: FSWatcher | undefined;
  #watching: Promise<void> | undefined;
  #poll: NodeJS.Timeout | undefined;
  #checking = false;
  #again = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #wait: { promise: Promise<void>; resolve: () => void } | undefined;
  #lastWarning = '';

  private constructor(file: string) {
    super();
    this.file = path.resolve(file);
  }

  /**
   * Starts following. The watcher is ready before the first look at the file, so nothing appended
   * in between goes unnoticed. A path that is a directory or unreadable fails here; a missing one
   * is waited for.
   */
  static async start(file: string, options: FollowerOptions = {}): Promise<Follower> {
    const follower = new Follower(file);
    try {
      await follower.#ensureWatcher();
      await follower.#check(true);
    } catch (err) {
      await follower.close();
      throw err;
    }
    follower.#poll = setInterval(() => follower.poke(), options.pollMs ?? DEFAULT_POLL_MS);
    follower.#poll.unref();
    return follower;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether a watcher covers the file's directory (false while it does not exist). */
  get watching(): boolean {
    return this.#watcher !== undefined;
  }

  /** Resolves at the next change (or at close). Shared by every waiting reader. */
  changed(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (!this.#wait) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#wait = { promise, resolve };
    }
    return this.#wait.promise;
  }

  /** The open generation with this identity, if any (for resuming by id). */
  find(identity: FileIdentity): Generation | undefined {
    return this.#generations.find((gen) => sameFile(gen, identity));
  }

  /** Asks for a re-check; checks never overlap, and a request during one triggers another. */
  poke(): void {
    if (this.#closed) return;
    if (this.#checking) {
      this.#again = true;
      return;
    }
    void this.#runChecks();
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#poll);
    this.#notify();
    await this.#watching?.catch(() => undefined);
    await this.#watcher?.close();
    await Promise.all(this.#generations.map((gen) => gen.close()));
  }

  async #runChecks(): Promise<void> {
    this.#checking = true;
    try {
      do {
        this.#again = false;
        await this.#check(false);
      } while (this.#again && !this.#closed);
      this.#lastWarning = '';
    } catch (err) {
      this.#warn(`cannot follow ${this.file}: ${describeSystemError(err)}`);
    } finally {
      this.#checking = false;
    }
  }

  /**
   * Watches the path once its directory exists; until then only the poll looks, and each look tries
   * again, so a directory created later gets a real watcher instead of polling forever.
   *
   * The path, not its directory: a directory watch fires on every append to any file in it, and on
   * each of those chokidar reads the directory again, back to back while appends continue. That
   * cost 0.35 ms of CPU per append here. chokidar covers a path that goes missing by watching its
   * directory until it is back (see #rewatch).
   */
  #ensureWatcher(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (!this.#watching) {
      // Set at once, so that looks running side by side share one watcher.
      // Without a directory yet, or after a failure, the next look tries again.
      const forget = (): void => {
        if (this.#watching === watching) this.#watching = undefined;
      };
      const watching: Promise<void> = this.#watch().then(
        (watched) => (watched ? undefined : forget()),
        (err: unknown) => {
          forget();
          throw err;
        },
      );
      this.#watching = watching;
    }
    return this.#watching;
  }

  /** False while the directory does not exist. A watcher this one replaces is closed. */
  async #watch(): Promise<boolean> {
    const dirStats = await stat(path.dirname(this.file)).catch(() => undefined);
    if (!dirStats?.isDirectory() || this.#closed) return false;
    const base = path.basename(this.file);
    // We re-check identity on every event, so chokidar need not delay unlinks to merge them.
    const watcher = watch(this.file, { ignoreInitial: true, atomic: false });
    const previous = this.#watcher;
    this.#watcher = watcher;
    void previous?.close().catch(() => undefined);
    // chokidar throttles `change` to one per 50 ms; raw events are not throttled, and latency
    // matters here, so both wake us.
    watcher.on('all', () => this.poke());
    watcher.on('raw', (_event, name) => {
      if (name === base || name === this.file) this.poke();
    });
    watcher.on('error', (err) => this.#warn(`watching ${this.file}: ${describeSystemError(err)}`));
    await new Promise<void>((resolve) => watcher.once('ready', resolve));
    return true;
  }

  /**
   * A fresh watcher for a new file at the path. Once the path has been missing (or was when the
   * watcher started), chokidar goes on watching the directory for it, with the cost above; a new
   * watcher watches the file itself. The old one watches until then, and the check that follows
   * sets the new one up before it looks at the file, so nothing goes unnoticed.
   */
  #rewatch(): void {
    this.#watching = undefined;
    this.poke();
  }

  async #check(starting: boolean): Promise<void> {
    if (this.#closed) return;
    // Ready before we look at the file, so nothing appended in between goes unnoticed.
    await this.#ensureWatcher();
    let pathStats: Stats | undefined;
    try {
      // Synchronous on purpose: a stat is microseconds, a trip through the threadpool is not,
      // and this runs on every append.
      pathStats = statSync(this.file);
    } catch (err) {
      if (!isErrnoException(err, 'ENOENT') && !isErrnoException(err, 'ENOTDIR')) throw this.#fileError(err);
    }
    if (pathStats?.isDirectory()) throw this.#fileError(Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
    const current = this.current;

    if (pathStats && (!current || !sameFile(current, pathStats))) {
      await this.#openNext(current, starting);
      return;
    }
    if (!current) return;
    // Same file at the path (or none: deleted or renamed away, and a writer may still append to
    // the inode we hold), so its descriptor tells how much there is.
    const { size } = fstatSync(current.handle.fd);
    if (size < current.size) {
      current.epoch++;
      current.size = size;
      this.truncations++;
      this.emit('truncate', current);
      this.#notify();
    } else if (size > current.size) {
      current.size = size;
      this.#notify();
    }
  }

  /** The path holds a new inode: finish the old generation at its final size, open the new one. */
  async #openNext(previous: Generation | undefined, starting: boolean): Promise<void> {
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch (err) {
      if (isErrnoException(err, 'ENOENT')) return; // gone again already; the next event tells
      if (starting) throw this.#fileError(err);
      throw err;
    }
    // Identity from the descriptor we hold, not the earlier stat of the path: no race.
    const stats = await handle.stat();
    if (stats.isDirectory()) {
      await handle.close();
      throw this.#fileError(Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
    }
    const gen = new Generation(handle, stats, stats.size, (n) => (this.bytesRead += n)).acquire();
    if (previous) {
      // Everything written to the old inode up to now is still delivered through its descriptor.
      previous.size = Math.max(previous.size, (await previous.handle.stat()).size);
      previous.next = gen;
      this.rotations++;
    }
    this.#generations.push(gen);
    this.current = gen;
    if (previous) {
      this.emit('rotate', previous, gen);
      previous.release();
    }
    // A file that appeared after we started, or replaced another, was missing for chokidar.
    if (!starting) this.#rewatch();
    this.#prune();
    this.#notify();
  }

  #prune(): void {
    this.#generations = this.#generations.filter((gen) => !gen.isClosed);
  }

  #notify(): void {
    const wait = this.#wait;
    this.#wait = undefined;
    this.emit('change');
    wait?.resolve();
  }

  #fileError(err: unknown): RuntimeError {
    return new RuntimeError('EVLOG_ERR_FILE_READ', `cannot read ${this.file}: ${describeSystemError(err)}`, { cause: err });
  }

  #warn(message: string): void {
    // The safety poll would repeat the same complaint every second.
    if (message === this.#lastWarning) return;
    this.#lastWarning = message;
    this.emit('warning', message);
  }
}
