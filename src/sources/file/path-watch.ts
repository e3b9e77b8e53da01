/**
 * What wakes a follower: a watcher on its directory's entries and one on the followed path. They
 * only say *that* something may have changed; the follower looks for itself.
 *
 * The directory's entries are watched with the platform watcher (one per directory, shared by the
 * files in it: see dir-watch.ts), which reads no directory: a name
 * created, removed or renamed there, or an append to the file, wakes the follower at once, so a
 * look that found the path missing is followed by another as soon as it is back. A chokidar
 * directory watch would not do: it reads the directory again on every event in it (every append
 * to any file there), which cost 0.35 ms of CPU per append here.
 *
 * chokidar watches the path itself, but cannot be the only watcher: when its stat after an event
 * finds the path missing it drops the path and watches nothing more, a new inode it does see there
 * only counts as a `change` when the modification time differs, and it drops events closer than
 * 5 ms apart. It stays as a second opinion for platforms whose directory events may say less, but
 * not on Linux, where inotify names every entry: there a second watch on the file costs a second
 * event per append, and events of two watches alternate in the kernel's queue, so it can no longer
 * merge a burst of appends into one event. A writer flat out then sends hundreds of thousands of
 * events a second, the event loop does little but take them (timers and file reads wait seconds),
 * and the queue overflows, losing the creation of the next file at the path.
 */
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { describeSystemError } from '../../errors.js';
import { join, leave, type DirMember } from './dir-watch.js';

/** Whether chokidar watches the path besides the directory watch (see above). */
const SECOND_OPINION = process.platform !== 'linux';

export type Poke = (kind: 'grow' | 'look') => void;

export class PathWatch implements DirMember {
  readonly base: string;
  readonly #file: string;
  readonly #dir: string;
  readonly #poke: Poke;
  readonly #warn: (message: string) => void;
  readonly #onName: (name: string | undefined) => void;
  #watcher: FSWatcher | undefined;
  #joined = false;
  #closed = false;

  /** `onName`: a rotated file's name (one starting with the file's) was created or renamed. */
  constructor(file: string, poke: Poke, warn: (message: string) => void, onName: (name: string | undefined) => void) {
    this.#file = file;
    this.#dir = path.dirname(file);
    this.base = path.basename(file);
    this.#poke = poke;
    this.#warn = warn;
    this.#onName = onName;
  }

  /** Whether a watcher covers the file's directory (false while it does not exist). */
  get watching(): boolean {
    return this.#joined;
  }

  /**
   * Watches the directory's entries once it exists (until then only the poll looks, and each look
   * calls this again, so a directory created later gets a real watcher). In effect as soon as this
   * returns: nothing appended or renamed after it goes unnoticed.
   */
  ensure(): void {
    if (this.#closed || this.#joined) return;
    if (!join(this.#dir, this)) return; // no directory yet
    this.#joined = true;
    // Names changed while nothing watched are not known: the next rotation looks at every sibling.
    this.#onName(undefined);
    this.renew();
  }

  onEvent(event: string, name: string | undefined): void {
    if (name === undefined) {
      // A platform that does not say, or events lost: look.
      this.#onName(undefined);
      this.#poke('look');
    } else if (name === this.base) {
      // A look, even for an append: it names the path, whatever file is there now. A writer
      // flat out can overflow the kernel's event queue, which drops events without a word
      // (the new file's creation among them); then the appends to that file are the only
      // news of it. The look costs one stat per turn of the event loop, not one per line.
      this.#poke('look');
    } else if (event === 'rename') {
      this.#onName(name);
    }
  }

  /** The directory itself went away: watch again once it is back. */
  onLost(): void {
    this.#joined = false;
    this.#onName(undefined);
    this.#poke('look');
  }

  /**
   * A fresh chokidar watcher for a new file at the path: its watch of the old one follows the old
   * inode, or stopped when the path went missing. The old one is closed once the new one is ready.
   */
  renew(): void {
    if (this.#closed || !this.#joined || !SECOND_OPINION) return;
    // The follower re-checks identity on every event, so chokidar need not delay unlinks to merge them.
    const watcher = watch(this.#file, { ignoreInitial: true, atomic: false });
    watcher.on('all', (event) => this.#poke(event === 'change' ? 'grow' : 'look'));
    // chokidar throttles `change`; raw events are not throttled, and latency matters here.
    watcher.on('raw', (event, name) => {
      if (name === this.base || name === this.#file) this.#poke(event === 'change' ? 'grow' : 'look');
    });
    watcher.on('error', (err) => this.#warn(`watching ${this.#file}: ${describeSystemError(err)}`));
    watcher.once('ready', () => {
      const previous = this.#watcher;
      this.#watcher = watcher;
      void previous?.close().catch(() => undefined);
      if (this.#closed) void watcher.close().catch(() => undefined);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#joined) leave(this.#dir, this);
    this.#joined = false;
    await this.#watcher?.close();
  }
}
