/**
 * The channels of `evlog serve a.log 'logs/*.log'`: each argument a path or a live glob (see
 * glob-watch.ts). A path is followed by name like `tail -F` (waited for, never dropped). A file that
 * comes to match a glob becomes a channel; one that goes away is dropped once read out (see
 * `FileSource.finished`), and kept if it comes back first (a rotation renames the file and
 * creates it again). Rotated copies of a followed file (`api.log.1`, `api.log-20261201`,
 * `api.log.2.gz`) never become channels of their own, even where the glob matches them: they are
 * the followed file's history, read by its follower (the rule of siblings.ts).
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { describeSystemError, isErrnoException } from '../errors.js';
import type { Channels } from './channels.js';
import { QUIET_MS } from './file/drain.js';
import { FileSource } from './file/index.js';
import { isRotatedName } from './file/siblings.js';
import { GlobWatch, isGlob } from './glob-watch.js';
import { Limit } from './open-limit.js';

export interface DiscoverOptions {
  /** The followers' safety poll; the globs' safety re-scan runs ten times less often. */
  pollMs: number;
  onWarning: (message: string) => void;
  /** How long a file gone from its path must stay unwritten before it is dropped (drain.ts). */
  quietMs?: number;
  /** The safety re-scan of the globs' directories (default: every ten polls). */
  rescanMs?: number;
  /**
   * A directory whose files no glob follows: the state directory, whose index grows with every
   * line it indexes, so following it would feed the index its own segments for ever.
   */
  exclude?: string;
}

interface Followed {
  name: string;
  /** Found by a glob, so dropped when it goes away; a path given as such stays. */
  live: boolean;
  source?: FileSource;
}

const RESCANS_PER_POLL = 10;
/** Files opened at once (see open-limit.ts): enough to keep the disk busy. */
const OPENING_AT_ONCE = 32;

export class Discovery {
  /** Directories read so far, at start, for new directories and at re-scans (never per append). */
  dirReads = 0;
  readonly #channels: Channels;
  readonly #options: DiscoverOptions;
  readonly #quietMs: number;
  readonly #globs: GlobWatch[] = [];
  /** Every followed file by absolute path, and the base names followed in each directory. */
  readonly #files = new Map<string, Followed>();
  readonly #byDir = new Map<string, Set<string>>();
  /** Files gone from their path, waiting to be read out. */
  readonly #leaving = new Set<string>();
  /** Matches that could not be opened, warned about once. */
  readonly #failed = new Set<string>();
  /** Channels are added in the order files were found, however long each takes to open. */
  #added: Promise<void> = Promise.resolve();
  readonly #opening = new Limit(OPENING_AT_ONCE);
  #rescan: NodeJS.Timeout | undefined;
  #leaveCheck: NodeJS.Timeout | undefined;
  #closed = false;
  /** Files that could not be opened for want of descriptors (see #wait). */
  readonly #waiting = new Map<string, { name: string; live: boolean }>();
  #retryTimer: NodeJS.Timeout | undefined;
  #saidWaiting = false;

  private constructor(channels: Channels, options: DiscoverOptions) {
    this.#channels = channels;
    this.#options = options;
    this.#quietMs = options.quietMs ?? QUIET_MS;
  }

  /**
   * Follows every path and every existing match of every glob as a channel, in argument order
   * (matches sorted), and stays live. A path that cannot be followed (a directory, no permission)
   * fails here, before anything is served.
   */
  static async start(args: readonly string[], channels: Channels, options: DiscoverOptions): Promise<Discovery> {
    const discovery = new Discovery(channels, options);
    try {
      for (const arg of args) {
        if (isGlob(arg)) await discovery.#watch(arg);
        else await discovery.#follow(arg, false, true);
      }
      await discovery.#added;
      // Out of descriptors while thousands opened at once: one at a time now, each file's idle
      // descriptor closed before the next (idle-files.ts), so what they hold is indexed at start.
      await discovery.#retry();
    } catch (err) {
      discovery.close();
      throw err;
    }
    discovery.#rescan = setInterval(() => void discovery.rescan().catch(() => undefined), options.rescanMs ?? options.pollMs * RESCANS_PER_POLL).unref();
    return discovery;
  }

  /** Reads every watched directory again: new matches, and followed files gone (the safety net). */
  async rescan(): Promise<void> {
    for (const glob of this.#globs) await glob.rescan();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#rescan);
    clearInterval(this.#leaveCheck);
    clearTimeout(this.#retryTimer);
    for (const glob of this.#globs) glob.close();
  }

  #excluded(file: string): boolean {
    const dir = this.#options.exclude;
    return dir !== undefined && file.startsWith(path.resolve(dir) + path.sep);
  }

  async #watch(pattern: string): Promise<void> {
    let found = 0;
    const glob = new GlobWatch(pattern, {
      found: (name) => {
        found++;
        void this.#follow(name, true, false).catch(() => undefined);
      },
      follows: (file) => this.#files.has(file),
      gone: (name) => this.#leave(path.resolve(name)),
      lostDir: (dir) => {
        const under = path.resolve(dir) + path.sep;
        for (const [file, followed] of this.#files) if (followed.live && file.startsWith(under)) this.#leave(file);
      },
      readDir: () => this.dirReads++,
      listed: (dir, names) => {
        for (const base of this.#byDir.get(dir) ?? []) {
          if (!names.has(base)) this.#leave(path.join(dir, base));
        }
      },
      warn: (message) => this.#options.onWarning(message),
    });
    this.#globs.push(glob);
    await glob.start();
    // As `tail -F` says of a file that is not there yet, once.
    if (found === 0) this.#options.onWarning(`${pattern} matches no file yet; waiting for files to appear`);
  }

  /** A file to follow as a channel called `name`: `strict` makes a failure to open it an error. */
  async #follow(name: string, live: boolean, strict: boolean): Promise<void> {
    const file = path.resolve(name);
    const known = this.#files.get(file);
    if (known) {
      // Back at its path before it was dropped: the follower goes on with the new file.
      this.#leaving.delete(file);
      return;
    }
    if (this.#closed || (live && (this.#isRotatedCopy(file) || this.#excluded(file)))) return;
    const followed: Followed = { name, live };
    this.#files.set(file, followed);
    this.#dirSet(file).add(path.basename(file));
    const opening = this.#opening.run(() => FileSource.open(name, { pollMs: this.#options.pollMs, onWarning: this.#options.onWarning }));
    // Opened at once, added in turn below: a failure is handled there, perhaps after it happened.
    opening.catch(() => undefined);
    const added = this.#added.then(async () => {
      let source: FileSource;
      try {
        source = await opening;
      } catch (err) {
        this.#forget(file);
        if (outOfDescriptors(err)) return this.#wait(file, name, live);
        if (strict) throw err;
        if (!this.#failed.has(file)) this.#options.onWarning(`cannot follow ${name}: ${describeSystemError(err)}`);
        this.#failed.add(file);
        return;
      }
      this.#failed.delete(file);
      if (this.#closed || this.#files.get(file) !== followed) return void (await source.close());
      followed.source = source;
      this.#channels.add(name, source);
    });
    // A failure is the caller's (strict) or was warned about; the chain goes on either way.
    this.#added = added.catch(() => undefined);
    await added;
  }

  /** A file that could not be opened for want of descriptors: followed as soon as one frees up. */
  #wait(file: string, name: string, live: boolean): void {
    this.#waiting.set(file, { name, live });
    this.#retryTimer ??= setTimeout(() => void this.#retry(), this.#options.pollMs).unref();
  }

  /** Follows the waiting files one at a time; says once how many still wait when that fails again. */
  async #retry(): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const [i, [file, { name, live }]] of waiting.entries()) {
      if (this.#closed) return;
      await this.#follow(name, live, false);
      if (this.#waiting.has(file)) {
        for (const [f, w] of waiting.slice(i + 1)) this.#waiting.set(f, w);
        break;
      }
    }
    if (this.#waiting.size > 0 && !this.#saidWaiting) this.#options.onWarning(`too many open files: ${this.#waiting.size} files wait to be followed until descriptors free up (raise ulimit -n)`);
    this.#saidWaiting = this.#waiting.size > 0;
  }

  /** Whether a file is a rotated copy of one followed in its directory (by the names' prefixes). */
  #isRotatedCopy(file: string): boolean {
    const followed = this.#byDir.get(path.dirname(file));
    if (!followed) return false;
    const base = path.basename(file);
    for (let end = 1; end < base.length; end++) {
      const prefix = base.slice(0, end);
      if (followed.has(prefix) && isRotatedName(prefix, base)) return true;
    }
    return false;
  }

  #leave(file: string): void {
    if (!this.#files.get(file)?.live || this.#closed) return;
    this.#leaving.add(file);
    this.#leaveCheck ??= setInterval(() => this.#dropFinished(), Math.max(20, Math.min(1000, this.#quietMs / 4))).unref();
  }

  /** Drops the files still gone that every reader has read out; keeps those back at their path. */
  #dropFinished(): void {
    for (const file of [...this.#leaving]) {
      const followed = this.#files.get(file);
      if (!followed || exists(file)) {
        this.#leaving.delete(file);
        continue;
      }
      if (!followed.source?.finished(this.#quietMs)) continue;
      this.#leaving.delete(file);
      this.#forget(file);
      void this.#channels.remove(followed.name);
    }
    if (this.#leaving.size === 0) {
      clearInterval(this.#leaveCheck);
      this.#leaveCheck = undefined;
    }
  }

  #dirSet(file: string): Set<string> {
    const dir = path.dirname(file);
    let names = this.#byDir.get(dir);
    if (!names) this.#byDir.set(dir, (names = new Set()));
    return names;
  }

  #forget(file: string): void {
    this.#files.delete(file);
    const names = this.#byDir.get(path.dirname(file));
    names?.delete(path.basename(file));
    if (names?.size === 0) this.#byDir.delete(path.dirname(file));
  }
}

/** EMFILE or ENFILE, also as the cause of the error that says which file. */
function outOfDescriptors(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) if (isErrnoException(e, 'EMFILE') || isErrnoException(e, 'ENFILE')) return true;
  return false;
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
