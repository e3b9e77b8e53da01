/**
 * One live glob (`logs/*.log`, `logs/**\/*.log`, `{a,b}.log`): the files that match it now, and the
 * ones that come to match or go away while the server runs.
 *
 * picomatch's `scan` gives the glob's static base directory; the base and every directory under it
 * that could hold a match (to the glob's depth, any depth with `**`) is read once at start and then
 * watched with the platform watcher, one per directory. Its events name the entry that changed, so
 * an append costs a string match and nothing more, and a created or renamed entry one stat: a
 * directory is read again only when it is new, when the platform does not name the entry, or at the
 * slow safety re-scan (`rescan()`), for what a watcher could miss (a full event queue, a network file
 * system). chokidar, by contrast, reads a directory again after any event in it (an append included),
 * and Vector's file source runs its globs again every second; neither is free with thousands of
 * files.
 */
import { lstatSync, statSync, watch, type Dirent, type FSWatcher, type Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';

export interface GlobHandlers {
  /** A regular file that matches (`file`: the path as matched, relative when the glob is). */
  found(file: string): void;
  /** Whether a matching file is followed already (its appends are then nothing new). */
  follows(file: string): boolean;
  /** A matching path that was found before no longer exists (it may come back: a rotation). */
  gone(file: string): void;
  /** A watched directory was read: the names in it now (absolute directory). */
  listed(dir: string, names: ReadonlySet<string>): void;
  /** A watched directory went away, with whatever was found under it. */
  lostDir(dir: string): void;
  /** A directory was read (for tests: directories are not re-read per append). */
  readDir(dir: string): void;
  warn(message: string): void;
}

/** Whether a serve argument is a glob rather than a path. */
export function isGlob(arg: string): boolean {
  return picomatch.scan(arg).isGlob;
}

export class GlobWatch {
  readonly pattern: string;
  /** The base as given (relative stays relative), and resolved. */
  readonly #base: string;
  readonly #absBase: string;
  readonly #absPrefix: string;
  readonly #matches: (relative: string) => boolean;
  /** Directory levels below the base that can hold a match: 1 for `*.log`, Infinity with `**`. */
  readonly #depth: number;
  readonly #on: GlobHandlers;
  /** Watched directories (absolute) and their depth below the base. */
  readonly #dirs = new Map<string, { watcher: FSWatcher | undefined; depth: number }>();
  /** While the base does not exist: a watch on its nearest existing ancestor (see #awaitBase). */
  #ancestor: FSWatcher | undefined;
  /** Directories that could not be watched, warned about once. */
  readonly #unwatchable = new Set<string>();
  #closed = false;

  constructor(pattern: string, handlers: GlobHandlers) {
    const scan = picomatch.scan(pattern);
    this.pattern = pattern;
    this.#base = scan.base === '' ? '.' : scan.base;
    this.#absBase = path.resolve(this.#base);
    this.#absPrefix = this.#absBase.endsWith(path.sep) ? this.#absBase : this.#absBase + path.sep;
    this.#matches = picomatch(scan.glob);
    this.#depth = scan.glob.includes('**') ? Number.POSITIVE_INFINITY : scan.glob.split('/').length;
    this.#on = handlers;
  }

  /** Starts watching and reads what is there; resolves once every existing match was reported. */
  async start(): Promise<void> {
    await this.#enter(this.#absBase, 0);
  }

  /**
   * The safety re-scan: every directory read again, new matches reported, and a base that did not
   * exist yet (or went away) watched once it is there.
   */
  async rescan(): Promise<void> {
    if (!this.#dirs.has(this.#absBase)) return this.#enter(this.#absBase, 0);
    for (const [dir, { depth }] of [...this.#dirs]) await this.#read(dir, depth);
  }

  /** The path a matched file is known by. */
  nameOf(abs: string): string {
    return path.join(this.#base, path.relative(this.#absBase, abs));
  }

  /** Whether an absolute path, a regular file or not, matches the glob. */
  matches(abs: string): boolean {
    // Paths here are built from the resolved base, so a prefix test is enough (and cheaper than
    // path.relative, which resolves both paths again, on every entry of a large directory).
    if (!abs.startsWith(this.#absPrefix)) return false;
    const rel = abs.slice(this.#absPrefix.length);
    return rel !== '' && this.#matches(path.sep === '/' ? rel : rel.split(path.sep).join('/'));
  }

  close(): void {
    this.#closed = true;
    this.#ancestor?.close();
    for (const { watcher } of this.#dirs.values()) watcher?.close();
    this.#dirs.clear();
  }

  /** Watches a directory, then reads it: whatever is created in between is seen either way. */
  async #enter(dir: string, depth: number): Promise<void> {
    if (this.#closed || this.#dirs.has(dir)) return;
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(dir, { persistent: false }, (event, name) => this.#event(dir, depth, event, name));
      // The directory itself went away.
      watcher.on('error', () => this.#leave(dir));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Not there (yet), or not a directory: the base is waited for, a subdirectory's parent says.
      if (code === 'ENOENT' || code === 'ENOTDIR') return dir === this.#absBase ? this.#awaitBase() : undefined;
      // No watch left (ENOSPC, EMFILE): said once, and the directory is still read at each re-scan.
      if (!this.#unwatchable.has(dir)) this.#on.warn(`cannot watch ${dir}: ${(err as Error).message}; its new files are found by the periodic re-scan only`);
      this.#unwatchable.add(dir);
    }
    this.#dirs.set(dir, { watcher, depth });
    await this.#read(dir, depth);
  }

  /**
   * Reads a directory: what is in it, by the types the directory itself gives (no stat per entry,
   * and nothing at all for a file followed already), then tells what it holds.
   */
  async #read(dir: string, depth: number): Promise<void> {
    this.#on.readDir(dir);
    let entries: Dirent[];
    try {
      // One call for the whole directory: several times faster than iterating an opendir handle,
      // and the names are all kept for the sort below anyway.
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Gone (its watcher or its parent's says so too).
      if (code === 'ENOENT' || code === 'ENOTDIR') this.#leave(dir);
      return;
    }
    // Sorted, so files are found in a stable order (and `api.log` before `api.log.1`).
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth + 1 < this.#depth) await this.#enter(full, depth + 1);
      } else if (entry.isFile()) {
        if (this.matches(full) && !this.#on.follows(full)) this.#on.found(this.nameOf(full));
      } else if (entry.isSymbolicLink() || !(entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice())) {
        // A link, or no type at all (a file system that does not give them): a stat says.
        await this.#look(dir, depth, entry.name);
      }
    }
    if (this.#dirs.has(dir)) this.#on.listed(dir, new Set(entries.map((e) => e.name)));
  }

  #event(dir: string, depth: number, event: string, name: string | Buffer | null): void {
    if (this.#closed) return;
    // A platform that does not say which entry: read the directory.
    if (name === null) return void this.#read(dir, depth).catch(() => undefined);
    // The watched directory itself was removed or renamed: the platform names it by its own name.
    if (event === 'rename' && String(name) === path.basename(dir) && !isDirectory(dir)) return this.#leave(dir);
    const full = path.join(dir, String(name));
    const matches = this.matches(full);
    // An append to a file names it with `change`: nothing to us when the file does not match or is
    // followed already (its own follower watches it).
    if (event === 'change' && (!matches || this.#on.follows(full))) return;
    // A name that cannot match and cannot be a directory to enter needs no stat either.
    if (!matches && depth + 1 >= this.#depth) return;
    void this.#look(dir, depth, String(name)).catch(() => undefined);
  }

  /** One entry, created, renamed or found by a read: a directory to enter, a file to report. */
  async #look(dir: string, depth: number, name: string): Promise<void> {
    if (this.#closed) return;
    const full = path.join(dir, name);
    let stats: Stats | undefined;
    try {
      // A symbolic link to a file is followed as the file; one to a directory is not entered (a loop).
      stats = lstatSync(full);
      if (stats.isSymbolicLink()) {
        stats = statSync(full);
        if (stats.isDirectory()) return;
      }
    } catch {
      stats = undefined;
    }
    if (!stats) {
      if (this.#dirs.has(full)) this.#leave(full);
      else if (this.matches(full)) this.#on.gone(this.nameOf(full));
      return;
    }
    if (stats.isDirectory()) {
      if (depth + 1 < this.#depth) await this.#enter(full, depth + 1);
    } else if (stats.isFile() && this.matches(full)) {
      this.#on.found(this.nameOf(full));
    }
  }

  /**
   * The base does not exist (yet): its nearest existing ancestor is watched for the next directory
   * on the way to it (an app that creates its log directory as it starts), so the base is found
   * at once, not at the next re-scan.
   */
  #awaitBase(): void {
    if (this.#closed || this.#ancestor) return;
    let dir = path.dirname(this.#absBase);
    while (!isDirectory(dir) && dir !== path.dirname(dir)) dir = path.dirname(dir);
    const next = path.relative(dir, this.#absBase).split(path.sep)[0];
    try {
      this.#ancestor = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || String(name) === next) this.#baseMaybeThere();
      });
      this.#ancestor.on('error', () => this.#baseMaybeThere());
    } catch {
      return; // the re-scan looks again
    }
    // Created before the watch began.
    if (isDirectory(path.join(dir, next ?? ''))) this.#baseMaybeThere();
  }

  #baseMaybeThere(): void {
    this.#ancestor?.close();
    this.#ancestor = undefined;
    void this.#enter(this.#absBase, 0).catch(() => undefined);
  }

  /** A watched directory went away: it and everything under it are no longer watched. */
  #leave(dir: string): void {
    if (!this.#dirs.has(dir)) return;
    for (const [watched, { watcher }] of [...this.#dirs]) {
      if (watched === dir || watched.startsWith(dir + path.sep)) {
        watcher?.close();
        this.#dirs.delete(watched);
      }
    }
    this.#on.lostDir(this.nameOf(dir));
    if (dir === this.#absBase) this.#awaitBase();
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
