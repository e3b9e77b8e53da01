/**
 * Rotated files still being written. After a rename, a writer that holds the old file open
 * (logrotate's `create` before the app reopens its log, or an app that opened the path just before
 * the rename) keeps appending to it. Nothing watches that inode any more, so its size is looked at
 * every few milliseconds until it has been quiet for a while (Fluent Bit's `Rotate_Wait` is 5 s),
 * while the new file already streams. A bounded number are drained at once, so descriptors stay
 * bounded however fast the file rotates. The one given up is one that has not grown since it was
 * renamed, quiet longest first, and only when all have grown the one quiet longest; never simply the
 * oldest: an app that never got its reopen signal writes to the oldest file through every rotation,
 * while the files `create` made after it stay empty. (Quiet alone is not enough: a writer starved
 * for a moment on a loaded machine looks quieter than an empty file renamed a moment ago.)
 */
import type { Generation } from './generation.js';

export const QUIET_MS = 5000;
export const MAX_DRAINING = 2;
const LOOK_MS = 5;

export class Drain {
  #gens: Generation[] = [];
  /** Generations that grew after they were renamed: a writer still holds them. */
  readonly #grown = new WeakSet<Generation>();
  #timer: NodeJS.Timeout | undefined;
  readonly #onChange: () => void;
  readonly #quietMs: number;

  constructor(onChange: () => void, quietMs = QUIET_MS) {
    this.#onChange = onChange;
    this.#quietMs = quietMs;
  }

  get size(): number {
    return this.#gens.length;
  }

  /** Takes over the follower's reference to a generation that was just replaced at the path. */
  add(gen: Generation): void {
    gen.lastGrowth = performance.now();
    for (const held of this.#gens) this.#grew(held);
    this.#gens.push(gen);
    while (this.#gens.length > MAX_DRAINING) {
      const idle = this.#gens.filter((g) => !this.#grown.has(g));
      const quietest = (idle.length > 0 ? idle : this.#gens).reduce((a, b) => (b.lastGrowth < a.lastGrowth ? b : a));
      this.#gens.splice(this.#gens.indexOf(quietest), 1);
      this.#finish(quietest);
    }
    this.#timer ??= setInterval(() => this.look(), LOOK_MS).unref();
    this.look();
  }

  /** Reads the size of every rotated file; tells the follower when one grew or went quiet. */
  look(): void {
    let changed = false;
    const now = performance.now();
    for (const gen of [...this.#gens]) {
      if (this.#grew(gen)) changed = true;
      else if (now - gen.lastGrowth >= this.#quietMs) {
        this.#gens.splice(this.#gens.indexOf(gen), 1);
        this.#finish(gen);
        changed = true;
      }
    }
    if (this.#gens.length === 0) this.#stop();
    if (changed) this.#onChange();
  }

  close(): void {
    this.#stop();
    for (const gen of this.#gens.splice(0)) this.#finish(gen);
  }

  #grew(gen: Generation): boolean {
    if (gen.isClosed) return false;
    let size: number;
    try {
      const stats = gen.stat();
      if (!stats) return false;
      size = stats.size;
    } catch {
      return false;
    }
    if (size <= gen.size) return false;
    gen.size = size;
    gen.lastGrowth = performance.now();
    this.#grown.add(gen);
    return true;
  }

  #finish(gen: Generation): void {
    this.#grew(gen);
    gen.final = true;
    gen.release();
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
