/**
 * Follows a path by name, like `tail -F`. Watchers only say *that* something changed; the truth
 * comes from stat of the path and fstat of the open descriptor (identity, size, and the
 * fingerprint of the first line). Every notification re-checks them, so merged or dropped events
 * cannot mislead us, and a slow poll covers anything a watcher misses (a directory that does not
 * exist yet, network file systems).
 */
import { EventEmitter } from 'node:events';
import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { describeSystemError, isErrnoException } from '../../errors.js';
import { sameFile, type FileIdentity } from './cursor.js';
import { ChunkCache } from './chunk-cache.js';
import { Generation } from './generation.js';
import { Drain } from './drain.js';
import { PathWatch } from './path-watch.js';
import { History } from './history.js';
import { CheckLoop, type CheckKind } from './check-loop.js';
import { fileError, isDirectoryError, openAtPath } from './open-path.js';
import { OpenGenerations } from './open-generations.js';
import { ChangeSignal } from './signal.js';
import { recoverRotated, reopenAt, unchangedAt, wake } from './reopen.js';
import { enrol, withdraw, type Looked } from './safety-net.js';

export interface FollowerEvents {
  /** The file grew, was replaced or was truncated: readers should look again. */
  change: [];
  /** A problem worth a log line that does not stop following (e.g. the path became unreadable). */
  warning: [message: string];
}

export interface FollowerOptions {
  /** Safety-net re-check interval, for changes no watcher reported (at least; see safety-net.ts). */
  pollMs?: number;
  /** How long a rotated file must stay unchanged before it is taken as finished. */
  quietMs?: number;
  /** The file's name as the user gave it (records and gaps carry it); the path by default. */
  name?: string;
}

const DEFAULT_POLL_MS = 1000;

export class Follower extends EventEmitter<FollowerEvents> {
  readonly file: string;
  readonly name: string;
  readonly cache = new ChunkCache();
  current: Generation | undefined;
  rotations = 0;
  truncations = 0;
  /** Gaps reported to readers: places where an exact resume was impossible. */
  gaps = 0;
  /** Every byte read from the file, shared reads counted once. */
  bytesRead = 0;
  readonly #generations = new OpenGenerations();
  readonly #watch: PathWatch;
  readonly #drain: Drain;
  readonly #history: History;
  readonly #net: Looked;
  readonly #checks = new CheckLoop(
    async (look) => {
      await this.#check(false, look);
      this.#lastWarning = '';
    },
    (err) => this.#warn(`cannot follow ${this.file}: ${describeSystemError(err)}`),
  );
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #signal = new ChangeSignal();
  #lastWarning = '';

  private constructor(file: string, options: FollowerOptions) {
    super();
    this.file = path.resolve(file);
    this.name = options.name ?? file;
    this.#net = { periodMs: options.pollMs ?? DEFAULT_POLL_MS, look: () => void (this.current && unchangedAt(this.file, this.current) ? undefined : this.poke('look')) };
    this.#drain = new Drain(() => this.#notify(), options.quietMs);
    this.#history = new History(this.file, (n) => (this.bytesRead += n));
    this.#watch = new PathWatch(
      this.file,
      (kind) => this.poke(kind),
      (message) => this.#warn(message),
      (name) => this.#history.touched(name),
    );
  }

  /**
   * Starts following. The watcher is ready before the first look at the file, so nothing appended
   * in between goes unnoticed. A path that is a directory or unreadable fails here; a missing one
   * is waited for.
   */
  static async start(file: string, options: FollowerOptions = {}): Promise<Follower> {
    const follower = new Follower(file, options);
    try {
      follower.#watch.ensure();
      await follower.#history.start();
      await follower.#check(true);
    } catch (err) {
      await follower.close();
      throw err;
    }
    enrol(follower.#net);
    return follower;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether a watcher covers the file's directory (false while it does not exist). */
  get watching(): boolean {
    return this.#watch.watching;
  }

  /** Rotated files still drained (see drain.ts). */
  get draining(): number {
    return this.#drain.size;
  }

  /** Resolves at the next change (or at close). Shared by every waiting reader. */
  changed(): Promise<void> {
    return this.#signal.next();
  }

  /** The open generation with this identity, if any (for resuming by id). */
  find(identity: FileIdentity): Generation | undefined {
    return this.#generations.find(identity);
  }

  /** Shares a rotated file a reader opened again (see rotated.ts) with the readers after it. */
  adopt(gen: Generation): Generation {
    return this.#generations.share(gen);
  }

  /**
   * A reader found the byte before its offset is no longer a newline: the file was truncated and
   * written again, past where the reader is, before a check saw it shrink.
   */
  truncatedUnderReader(gen: Generation, epoch: number): void {
    if (gen.epoch !== epoch || gen.isClosed) return;
    const stats = gen.stat();
    // Parked since the reader read it: the next look tells.
    if (!stats) return this.poke();
    this.#truncated(gen, stats.size);
  }

  /** Counts bytes read for readers outside `Generation.read` (rotated files opened again). */
  countRead(bytes: number): void {
    this.bytesRead += bytes;
  }

  /** Asks for a re-check (see check-loop.ts); a look at the path unless told it is an append. */
  poke(kind: CheckKind = 'look'): void {
    if (!this.#closed) this.#checks.request(kind);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#checks.stop();
    withdraw(this.#net);
    this.#drain.close();
    this.emit('change');
    this.#signal.close();
    await this.#watch.close();
    await this.#generations.closeAll();
  }

  async #check(starting: boolean, look = true): Promise<void> {
    if (this.#closed) return;
    // Watching before we look at the file, so nothing appended in between goes unnoticed.
    this.#watch.ensure();
    this.#drain.look();
    let pathStats: Stats | undefined;
    if (!look && this.current && !this.current.parked) return this.#grown(this.current);
    try {
      // Synchronous on purpose: a stat is microseconds, a trip through the threadpool is not,
      // and this runs on every append.
      pathStats = statSync(this.file);
    } catch (err) {
      if (!isErrnoException(err, 'ENOENT') && !isErrnoException(err, 'ENOTDIR')) throw fileError(this.file, err);
    }
    if (pathStats?.isDirectory()) throw isDirectoryError(this.file);
    const current = this.current;

    if (pathStats && (!current || !sameFile(current, pathStats))) {
      await this.#openNext(current, starting);
      return;
    }
    if (!current) return;
    if (current.parked) {
      const woke = await wake(current, pathStats);
      if (woke === 'unchanged') return;
      // Another file at the path between the stat and the open: the next look sees it.
      if (woke === 'moved') return this.poke('look');
      if (woke === 'rewritten') return this.#truncated(current, current.stat()!.size);
    }
    this.#grown(current);
  }

  /**
   * Same file at the path (or none: deleted or renamed away, and a writer may still append to the
   * inode we hold), so its descriptor tells how much there is.
   */
  #grown(current: Generation): void {
    const stats = current.stat();
    if (!stats) return;
    const { size } = stats;
    if (size < current.size) {
      this.#truncated(current, size);
    } else if (size > current.size) {
      if (current.grewTo(size)) this.#notify();
      else this.#truncated(current, size);
    }
  }

  #truncated(gen: Generation, size: number): void {
    gen.truncated(size);
    this.truncations++;
    this.#notify();
  }

  /**
   * The path holds a new inode: the old generation is drained until quiet while the new one
   * streams (see drain.ts).
   */
  async #openNext(previous: Generation | undefined, starting: boolean): Promise<void> {
    const opened = await openAtPath(this.file, previous, starting, (n) => (this.bytesRead += n));
    if (!opened) return;
    // The first look (at start) and a watcher's look can overlap: the file one of them opened is
    // the file at the path already, not a new one (two of them would split the readers).
    if (this.current !== previous && this.current && sameFile(this.current, opened)) return opened.close();
    // Drained from now on, so it needs its descriptor: back from where it was renamed if parked.
    previous?.keepOpen();
    if (previous?.parked) await recoverRotated(this.file, previous);
    const gen = opened.acquire();
    let last = previous;
    if (previous) {
      // Files that came and went at the path since the last look are read in between.
      for (const missed of await this.#history.missedBetween(previous, gen)) {
        last!.next = missed;
        last = missed;
        this.rotations++;
      }
      if (this.#closed) return void gen.close();
    } else {
      this.#history.followed(gen);
    }
    this.#generations.add(gen);
    this.current = gen;
    gen.parkable((g) => reopenAt(this.file, g), () => gen === this.current && gen.next === undefined);
    if (previous && last) {
      last.next = gen;
      this.rotations++;
      this.#drain.add(previous);
    }
    this.#notify();
    // After the readers are told: the directory watch already covers the new file.
    if (!starting) this.#watch.renew();
  }

  #notify(): void {
    this.emit('change');
    this.#signal.fire();
  }

  #warn(message: string): void {
    // The safety poll would repeat the same complaint every second.
    if (message === this.#lastWarning) return;
    this.#lastWarning = message;
    this.emit('warning', message);
  }
}
