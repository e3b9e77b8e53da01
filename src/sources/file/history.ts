/**
 * The files a follower has known at its path, to notice one it never saw: under load a file can be
 * created at the path and renamed away again between two looks (a writer flat out, rotating every
 * few milliseconds, on a busy machine). At each rotation the path's siblings whose names changed
 * since the last one are looked at (the directory watch names them; all of them where it cannot);
 * one that is neither a file we followed nor one that was there when we started was such a file,
 * and is read between the two we did see. A copy of a followed file (copy-truncate's
 * `event.log.1`) has that file's first line, and is not read again.
 */
import { sameFile, type FileIdentity } from './cursor.js';
import { Generation } from './generation.js';
import { listSiblings } from './siblings.js';
import { closeFd, tryOpen } from './descriptor.js';

const MAX_KNOWN = 100_000;

const keyOf = (id: FileIdentity): string => `${id.dev}:${id.ino}`;

export class History {
  readonly #file: string;
  readonly #known = new Set<string>();
  readonly #fingerprints = new Set<number>();
  readonly #onRead: (bytes: number) => void;
  /** Sibling names created or renamed since the last rotation; undefined: look at them all. */
  #touched: Set<string> | undefined;

  constructor(file: string, onRead: (bytes: number) => void) {
    this.#file = file;
    this.#onRead = onRead;
  }

  /** Rotated files already there at the start are history, not files we missed. */
  async start(): Promise<void> {
    for (const sibling of await listSiblings(this.#file)) this.#remember(sibling);
  }

  /**
   * A name in the directory was created or renamed (from the directory watch), or `undefined`
   * when the watch cannot say which (or is not running): then every sibling is looked at.
   */
  touched(name: string | undefined): void {
    if (name === undefined) this.#touched = undefined;
    else this.#touched?.add(name);
  }

  followed(gen: Generation): void {
    this.#remember(gen);
    const fp = gen.fingerprint();
    if (fp !== undefined) this.#remember(undefined, fp);
  }

  /**
   * Files that came and went at the path after `previous` and before `next`, oldest first, as
   * closed generations: a reader that gets to one opens it again by identity (see rotated.ts).
   */
  async missedBetween(previous: Generation, next: Generation): Promise<Generation[]> {
    this.followed(previous);
    this.#remember(next);
    const missed: Generation[] = [];
    const names = this.#touched;
    this.#touched = new Set();
    for (const sibling of await listSiblings(this.#file, names)) {
      if (this.#known.has(keyOf(sibling))) continue;
      this.#remember(sibling);
      const opened = tryOpen(sibling.path);
      if (!opened) continue;
      const { fd, stats } = opened;
      if (!sameFile(stats, sibling)) {
        closeFd(fd);
        continue;
      }
      const gen = new Generation(fd, stats, stats.size, this.#onRead);
      const fp = gen.fingerprint();
      gen.close();
      if (fp !== undefined && this.#fingerprints.has(fp)) continue;
      if (fp !== undefined) this.#remember(undefined, fp);
      missed.push(gen);
    }
    return missed;
  }

  #remember(id: FileIdentity | undefined, fp?: number): void {
    if (id) this.#known.add(keyOf(id));
    if (fp !== undefined) this.#fingerprints.add(fp);
    for (const set of [this.#known, this.#fingerprints] as Set<unknown>[]) {
      if (set.size > MAX_KNOWN) set.delete(set.values().next().value);
    }
  }
}
