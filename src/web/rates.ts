/**
 * Events per second per event name over a sliding window of whole seconds, and totals since the
 * page opened. Lines that are not events (ordinary log lines) are one series of their own,
 * `(other)`. Names come from the log, which anyone may write to, so the number of names tracked
 * is capped: past the cap, new names count as `(more names)`. The history a page opens with
 * counts in the totals only: it arrived at once, but was not written at that rate.
 */
export const NO_NAME = '(other)';
export const OTHER = '(more names)';

export interface RateOptions {
  windowSeconds: number;
  maxNames: number;
}

export class EventRates {
  readonly windowSeconds: number;
  readonly #maxNames: number;
  /** One more slot than the window: the second in progress must not overwrite the oldest one shown. */
  readonly #slots: number;
  /** Per name, a ring of per-second counts indexed by `second % #slots`. */
  readonly #buckets = new Map<string, Uint32Array>();
  readonly #totals = new Map<string, number>();
  /** The newest second any bucket holds; older slots are cleared as time moves past them. */
  #head: number | undefined;

  constructor(options: RateOptions = { windowSeconds: 300, maxNames: 200 }) {
    this.windowSeconds = options.windowSeconds;
    this.#maxNames = options.maxNames;
    this.#slots = options.windowSeconds + 1;
  }

  add(name: string | undefined, nowMs: number, count = 1): void {
    const second = Math.floor(nowMs / 1000);
    this.#advance(second);
    const key = this.#key(name);
    let buckets = this.#buckets.get(key);
    if (buckets === undefined) {
      buckets = new Uint32Array(this.#slots);
      this.#buckets.set(key, buckets);
    }
    buckets[second % this.#slots]! += count;
    this.#totals.set(key, (this.#totals.get(key) ?? 0) + count);
  }

  /** A line of the history the page opened with: in the totals, not in the rate. */
  addHistory(name: string | undefined, count = 1): void {
    const key = this.#key(name);
    this.#totals.set(key, (this.#totals.get(key) ?? 0) + count);
  }

  #key(name: string | undefined): string {
    const key = name ?? NO_NAME;
    return this.#totals.has(key) || this.#totals.size < this.#maxNames ? key : OTHER;
  }

  /** Counts per second, oldest first, for the `windowSeconds` complete seconds before `nowMs`. */
  series(name: string, nowMs: number): number[] {
    const current = Math.floor(nowMs / 1000);
    this.#advance(current);
    const buckets = this.#buckets.get(name);
    const out = new Array<number>(this.windowSeconds).fill(0);
    if (buckets === undefined) return out;
    for (let i = 0; i < this.windowSeconds; i++) {
      const second = current - this.windowSeconds + i;
      if (second >= 0) out[i] = buckets[second % this.#slots]!;
    }
    return out;
  }

  /** Events in the last complete second, all names together. */
  lastSecond(nowMs: number): number {
    const previous = Math.floor(nowMs / 1000) - 1;
    this.#advance(previous + 1);
    if (previous < 0) return 0;
    let sum = 0;
    for (const buckets of this.#buckets.values()) sum += buckets[previous % this.#slots]!;
    return sum;
  }

  /** Names with their totals, largest first. */
  totals(): Array<[string, number]> {
    return [...this.#totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }

  #advance(second: number): void {
    if (this.#head === undefined || second <= this.#head) {
      this.#head ??= second;
      return;
    }
    // Slots between the old head and now belong to seconds that just ended with no events.
    const steps = Math.min(second - this.#head, this.#slots);
    for (const buckets of this.#buckets.values()) {
      for (let s = 1; s <= steps; s++) buckets[(this.#head + s) % this.#slots] = 0;
    }
    this.#head = second;
  }
}
